"""Queries over the journal, shared by the command line and the board."""

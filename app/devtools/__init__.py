"""What is not the product: benchmarks, fault injection, fuzzing, the journal generator.

``lobbylink bench run|faults|fuzz|gen|reports`` (app.cli.bench) imports these inside the
command, so the hub and the stations never load them; an import-linter contract in
pyproject.toml forbids every product package to import this one.
"""

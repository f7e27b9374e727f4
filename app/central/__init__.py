"""Head office: every branch's journal in one PostgreSQL (issue 13).

``schema`` holds the tables, ``db`` creates and upgrades them and manages branch roles,
``redact`` says what of an event leaves the branch, ``shipper`` sends a hub's journal.
"""

"""``lobbylink bench faults``: inject faults against a real hub and count what was lost.

Every case prints what it did and the one figure that must be zero: acknowledged
events lost (and duplicated). An "acknowledged" command is one whose ``accepted``
reply reached the station; the journal must hold its msg_id exactly once.

One module per case (``driver.CASES``): ``kill`` (SIGKILL the hub under load),
``offline`` (a station raises with no hub), ``slow`` (a subscriber that stops reading
past the PUB's high-water mark), ``disk`` (the journal's tmpfs fills up), ``readonly``
(the journal turns read-only under the hub), ``netcut`` (a station's cable pulled, hub
and station in network namespaces of their own), ``soak`` (a compressed branch day,
memory over time) and ``central`` (branch hubs shipping to one head-office PostgreSQL
through WAN cuts, server crashes and kills). ``disk``, ``readonly``, ``netcut`` and
``central`` need root; without it they report "skipped". :mod:`.common` holds what
they share, :mod:`.driver` runs them.

The slow, read-only, network, soak and central runs are shared with tests/integration
(``test_fault_*.py``), which run them CI-sized.
"""

"""``lobbylink bench run``: the product's figures next to raw baselines (see run.py).

Nothing here imports Qt at module level; only :mod:`app.devtools.bench.board`, run as a
child process, does.
"""

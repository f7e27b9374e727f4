"""``python -m app.cli``: the ``lobbylink`` command."""

import sys

from app.cli import main

sys.exit(main())

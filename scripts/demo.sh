#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the Lobbylink demo: a hub on a temporary SQLite
# journal, six station windows and simulated traffic (always). Extra arguments go to
# `lobbylink demo` (see `lobbylink demo --help`).
# Without a screen (no DISPLAY / WAYLAND_DISPLAY) it runs under xvfb-run for 30 s
# and saves one screenshot per window into ./demo-out/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

# Simulated traffic always: `scripts/demo.sh --lang zh_CN` is the demo in Chinese, not
# six idle windows (run `lobbylink demo` itself for a demo without traffic).
case " $* " in
*" --simulate "*) ;;
*) set -- --simulate "$@" ;;
esac

if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
    exec .venv/bin/lobbylink demo "$@"
fi

echo "demo: no screen here; running under xvfb-run for 30 s, screenshots in demo-out/"
export QT_QPA_PLATFORM=xcb LOBBYLINK_NO_SOUND=1
exec xvfb-run -a -s "-screen 0 1920x1080x24" \
    .venv/bin/lobbylink demo --seconds 30 --screenshots demo-out "$@"

#!/usr/bin/env bash
# Try a standby pair of hubs as a newcomer would (docs/operations.md, "A standby hub"):
# a primary and a backup on 127.0.0.1, each with its own journal; `send --hub P,B`
# raises a call; the primary is killed (kill -9); `send --hub P,B` claims and resolves
# the call on the backup, which took over; the backup's journal and `lobbylink report`
# show all three; the old primary, restarted, follows and accepts no command.
#
#   bash scripts/pair-try.sh [FOLDER]        (PAIR_TRY_PORTS="5760 5770" to move the ports)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
PY="$ROOT/.venv/bin/python"
LL="$ROOT/.venv/bin/lobbylink"
[[ -x "$LL" ]] || { echo "pair-try: run scripts/setup.sh first" >&2; exit 2; }

WORK="${1:-$(mktemp -d "${TMPDIR:-/tmp}/lobbylink-pair.XXXXXX")}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
read -r PORT_P PORT_B <<<"${PAIR_TRY_PORTS:-5760 5770}"
HUBS="127.0.0.1:$PORT_P,127.0.0.1:$PORT_B"
KEYS="$WORK/keys"
say() { printf '\n== %s\n' "$*"; }
stop_all() {
    for pidfile in "$WORK"/*.pid; do
        [[ -f "$pidfile" ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
}
trap stop_all EXIT

start_hub() { # NAME ROLE PORT PEER_PORT
    "$LL" hub --db "sqlite:///$WORK/$1.sqlite" --listen "127.0.0.1:$3" --keys "$KEYS" \
        --pair "$2" --peer "127.0.0.1:$4" >>"$WORK/$1.log" 2>&1 &
    echo $! >"$WORK/$1.pid"
    echo "$1 hub ($2) on 127.0.0.1:$3, journal $WORK/$1.sqlite, log $WORK/$1.log"
}
wait_status() { # PORT TEXT
    for _ in $(seq 60); do
        "$LL" pair status --hub "127.0.0.1:$1" --keys "$KEYS" 2>/dev/null | grep -q "$2" && return 0
        sleep 0.5
    done
    echo "pair-try: the hub on port $1 never said '$2'" >&2
    "$LL" pair status --hub "127.0.0.1:$1" --keys "$KEYS" >&2 || true
    exit 1
}
send() { "$LL" send --hub "$HUBS" --keys "$KEYS" --station "$@"; }

say "the branch's keys (one hub key, on both hub PCs)"
"$LL" keys init --dir "$KEYS" --config resources/branch.toml >/dev/null
say "a primary and a backup"
start_hub primary primary "$PORT_P" "$PORT_B"
start_hub backup backup "$PORT_B" "$PORT_P"
wait_status "$PORT_P" "standby in_sync"
"$LL" pair status --hub "127.0.0.1:$PORT_P" --keys "$KEYS"

say "send --hub $HUBS: the teller at C01 calls the lobby manager"
id="$(send C01 raise assist)"
echo "call $id raised"

say "kill -9 the primary"
kill -9 "$(cat "$WORK/primary.pid")"
rm -f "$WORK/primary.pid"
started=$(date +%s.%N)
say "send --hub $HUBS: the lobby manager claims it, the teller resolves it"
send L1 ack "$id"
send C01 resolve "$id"
echo "acknowledged and resolved $("$PY" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$started" "$(date +%s.%N)") s after the kill"

say "the backup's journal"
"$PY" - "$WORK/backup.sqlite" <<'EOF'
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT seq, kind, station FROM events ORDER BY seq")
for seq, kind, station in rows:
    print(f"{seq:>4}  {kind:<22} {station}")
EOF
say "lobbylink report, on the backup's journal"
"$LL" report --db "sqlite:///$WORK/backup.sqlite"

say "the old primary restarts: it follows the backup and accepts no command"
start_hub primary primary "$PORT_P" "$PORT_B"
wait_status "$PORT_P" "primary passive"
"$LL" pair status --hub "127.0.0.1:$PORT_P" --keys "$KEYS"
if "$LL" send --hub "127.0.0.1:$PORT_P" --keys "$KEYS" --station C02 --timeout 4 raise assist; then
    echo "pair-try: the old primary accepted a command" >&2
    exit 1
fi
echo "the old primary refused the command: the backup serves the branch"

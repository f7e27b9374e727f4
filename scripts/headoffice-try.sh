#!/usr/bin/env bash
# Head office, tried by hand in a few minutes (docs/headoffice.md, "Try it"):
# a throw-away PostgreSQL, two branch hubs with their own codes shipping to it, the
# server stopped under them (both branches keep working), started again, and the
# cross-branch report showing every signal of both branches once.
#
#   bash scripts/headoffice-try.sh [FOLDER]     (needs scripts/setup.sh done once)
#
# Everything lives in FOLDER (default: a new temporary folder) and is stopped at the
# end; KEEP=1 leaves the server and both hubs running to look at them (the region
# board: the command is printed), `bash scripts/headoffice-try.sh --stop FOLDER` ends
# them.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
PY="$ROOT/.venv/bin/python"
LL="$ROOT/.venv/bin/lobbylink"
[[ -x "$LL" ]] || { echo "headoffice-try: run scripts/setup.sh first" >&2; exit 2; }

stop_all() {
    local work="$1"
    for pidfile in "$work"/*/hub.pid; do
        [[ -f "$pidfile" ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    [[ -f "$work/pgdir" ]] && "$PY" -m app.devtools.pgserver down "$(cat "$work/pgdir")" || true
}

if [[ "${1:-}" == "--stop" ]]; then
    stop_all "${2:?the folder the try ran in}"
    exit 0
fi

WORK="${1:-$(mktemp -d "${TMPDIR:-/tmp}/lobbylink-headoffice.XXXXXX")}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
if [[ -z "${KEEP:-}" ]]; then
    trap 'stop_all "$WORK"' EXIT
fi
say() { printf '\n== %s\n' "$*"; }

# The server's folder is a new one in /tmp: the server runs as the postgres user, who
# may not enter FOLDER (a test's, say); FOLDER/pgdir says where it is.
PGDIR="$(mktemp -d "${TMPDIR:-/tmp}/lobbylink-pg.XXXXXX")"
echo "$PGDIR" >"$WORK/pgdir"
say "a throw-away PostgreSQL in $PGDIR (Debian's postgresql, initdb and pg_ctl)"
ADMIN="$("$PY" -m app.devtools.pgserver up "$PGDIR")"
echo "$ADMIN"

say "head office: the schema, two branches in two regions, a role for each"
"$LL" central init --central "$ADMIN"
"$LL" central add-branch --central "$ADMIN" --code B001 --region east --name "East Road"
"$LL" central add-branch --central "$ADMIN" --code B002 --region west --name "West Gate"

# Two branches: the demo branch's config with its own code, region and head office's URL
# as the branch's own role (row-level security lets it write its own rows only).
start_branch() {
    local code="$1" region="$2" port="$3"
    local dir="$WORK/$code"
    mkdir -p "$dir"
    local url="${ADMIN/postgres@/lobbylink_branch_${code,,}@}"
    sed -e "s/^id = \"demo\"/id = \"$code\"/" -e "s/^region = \"demo\"/region = \"$region\"/" \
        resources/branch.toml >"$dir/branch.toml"
    printf '\n[central]\nurl = "%s"\nretry_max_s = 2\n' "$url" >>"$dir/branch.toml"
    "$LL" hub --config "$dir/branch.toml" --db "sqlite:///$dir/journal.sqlite" \
        --listen "127.0.0.1:$port" --insecure >"$dir/hub.log" 2>&1 &
    echo $! >"$dir/hub.pid"
    echo "branch $code ($region): hub on 127.0.0.1:$port, log $dir/hub.log"
}
start_branch B001 east 5660
start_branch B002 west 5670

send() { "$LL" send --insecure --hub "127.0.0.1:$1" --station "$2" "${@:3}"; }
calls() {
    local port="$1" n="$2" id
    for _ in $(seq "$n"); do
        id="$(send "$port" C01 raise assist)"
        send "$port" L1 ack "$id" >/dev/null
        send "$port" L1 resolve "$id" >/dev/null
    done
    send "$port" C02 raise cash >/dev/null
}
sleep 2
say "each branch raises, answers and resolves calls"
calls 5660 3
calls 5670 2

say "head office's server stops as a crash would (pg_ctl stop -m immediate)"
"$PY" -m app.devtools.pgserver halt "$PGDIR"
say "both branches keep working without it"
calls 5660 2
calls 5670 4
echo "B001 and B002 acknowledged every command"

say "the server comes back; the shippers catch up by themselves"
"$PY" -m app.devtools.pgserver resume "$PGDIR"
expected=15 # B001: 3+1, then 2+1 while the server is down; B002: 2+1, then 4+1
for _ in $(seq 60); do
    got="$("$LL" report --central "$ADMIN" --by branch --format json |
        "$PY" -c 'import json,sys; print(json.load(sys.stdin)["total"]["signals"])')"
    [[ "$got" == "$expected" ]] && break
    sleep 1
done

say "lobbylink report --central URL --by branch"
"$LL" report --central "$ADMIN" --by branch
if [[ "$got" != "$expected" ]]; then
    echo "headoffice-try: head office holds $got signals, the branches raised $expected" >&2
    exit 1
fi
echo "every signal of both branches, once ($got)"
if [[ -n "${KEEP:-}" ]]; then
    say "left running; the region board:  $LL region --central $ADMIN"
    echo "stop everything with:  bash scripts/headoffice-try.sh --stop $WORK"
fi

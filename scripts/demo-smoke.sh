#!/usr/bin/env bash
# Demo smoke test, on a real X server (Xvfb, 1920x1080):
#   1. `lobbylink demo --simulate --seconds 8 --screenshots DIR` must exit 0 with no
#      Python traceback and no Qt warning, and leave six non-blank screenshots;
#   2. tests/xvfb (real windows, real key presses through xdotool) must pass: they are
#      left out of the offscreen pytest run, so this is where they run, never skipped.
# Usage: scripts/demo-smoke.sh [SCREENSHOT_DIR]   (default: demo-out/smoke)
# Needs: xvfb-run (xvfb, xauth) and xdotool, installed by scripts/setup.sh.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV_BIN="$(pwd)/.venv/bin"

say() { printf 'demo-smoke: %s\n' "$*"; }
die() {
    printf 'demo-smoke: FAILED: %s\n' "$*" >&2
    exit 1
}

command -v xvfb-run >/dev/null 2>&1 || die "xvfb-run not found (apt packages xvfb xauth; run scripts/setup.sh)"
command -v xdotool >/dev/null 2>&1 || die "xdotool not found (apt package xdotool; run scripts/setup.sh)"
[[ -x "$VENV_BIN/lobbylink" ]] || die "no .venv/bin/lobbylink: run scripts/setup.sh first"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lobbylink-smoke.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
SHOTS="${1:-demo-out/smoke}"
rm -rf "$SHOTS"
mkdir -p "$SHOTS"

export QT_QPA_PLATFORM=xcb
export LOBBYLINK_NO_SOUND=1
# Every Qt message says its type, so a warning cannot hide in the log.
export QT_MESSAGE_PATTERN='qt.%{type} %{category}: %{message}'
# Qt warns when XDG_RUNTIME_DIR is unset; give it a private 0700 directory.
if [[ -z "${XDG_RUNTIME_DIR:-}" || ! -d "${XDG_RUNTIME_DIR}" ]]; then
    export XDG_RUNTIME_DIR="$WORK/xdg"
    mkdir -m 700 "$XDG_RUNTIME_DIR"
fi
XVFB=(xvfb-run -a -s "-screen 0 1920x1080x24")

# 1. The demo ---------------------------------------------------------------------------------
say "lobbylink demo --simulate --seconds 8 --screenshots $SHOTS (under Xvfb)"
log="$WORK/demo.log"
rc=0
timeout 180 "${XVFB[@]}" "$VENV_BIN/lobbylink" demo --simulate --seconds 8 \
    --screenshots "$SHOTS" >"$log" 2>&1 </dev/null || rc=$?
if ((rc != 0)); then
    tail -n 60 "$log" >&2
    die "the demo exited with $rc"
fi
if grep -q -E '^Traceback|lobbylink\.ui: uncaught exception' "$log"; then
    grep -A 30 '^Traceback' "$log" >&2
    die "the demo printed a Python traceback"
fi
# Qt's messages reach the log through app.client.crashlog (lobbylink.qt, W/E/C); one
# that came before it was installed keeps Qt's own pattern above.
if grep -E '^qt\.(warning|critical|fatal) |^[0-9:]+ [WEC] lobbylink\.qt: ' "$log" >&2; then
    die "Qt warnings in the demo's log (above)"
fi
grep -E '^demo: (journal|read it)' "$log" || true

# 2. Its screenshots ------------------------------------------------------------------------------
say "checking the screenshots"
"$VENV_BIN/python" - "$SHOTS" <<'PY'
import sys
from collections import Counter
from pathlib import Path

from PySide6.QtGui import QImage

EXPECTED = [
    "teller-C01.png",
    "teller-C02.png",
    "lobby-L1.png",
    "wealth-W1.png",
    "supervisor-S1.png",
    "board-H1.png",
]
folder = Path(sys.argv[1])
problems = []
for name in EXPECTED:
    path = folder / name
    image = QImage(str(path))
    if image.isNull():
        problems.append(f"{name}: missing or not a PNG")
        continue
    want = (1920, 1080) if name.startswith("board") else (1280, 800)
    if (image.width(), image.height()) != want:
        problems.append(f"{name}: {image.width()}x{image.height()}, not {want[0]}x{want[1]}")
        continue
    data = bytes(image.convertToFormat(QImage.Format.Format_RGB32).constBits())
    pixels = Counter(data[i : i + 4] for i in range(0, len(data), 16))
    top_share = pixels.most_common(1)[0][1] / sum(pixels.values())
    print(f"  {name}: {image.width()}x{image.height()}, {len(pixels)} colours")
    if len(pixels) < 8 or top_share > 0.97:
        problems.append(f"{name}: blank ({len(pixels)} colours, {top_share:.0%} one colour)")
extra = sorted(p.name for p in folder.glob("*.png") if p.name not in EXPECTED)
if extra:
    print(f"  (also: {', '.join(extra)})")
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
PY

# 3. Real windows, real keys ------------------------------------------------------------------------
say "pytest tests/xvfb (real X server, xdotool key presses)"
out="$WORK/xvfb-tests.log"
rc=0
timeout 300 "${XVFB[@]}" "$VENV_BIN/python" -m pytest tests/xvfb -q -p no:cacheprovider \
    >"$out" 2>&1 </dev/null || rc=$?
cat "$out"
((rc == 0)) || die "tests/xvfb failed (pytest exit $rc; 5 means none were collected)"
summary="$(tail -n 1 "$out")"
if ! grep -Eq '^[0-9]+ passed' <<<"$summary" || grep -Eq 'skipped|deselected|xfailed|xpassed' <<<"$summary"; then
    die "tests/xvfb did not all run and pass: $summary"
fi

say "passed (screenshots in $SHOTS)"

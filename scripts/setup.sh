#!/usr/bin/env bash
# Lobbylink developer/CI setup (Debian 12).
#
# Idempotent: installs only the missing apt packages (apt-get update only when
# something is missing), creates .venv if it is missing, and installs the
# project with `pip install -e '.[test]'` unless the stamp file
# .venv/.lobbylink-installed is newer than pyproject.toml.
#
# Environment knobs:
#   LOBBYLINK_SKIP_APT=1   skip the apt step entirely (e.g. no root, libs already there)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO_ROOT="$(pwd)"
VENV="$REPO_ROOT/.venv"
STAMP="$VENV/.lobbylink-installed"

say() { printf 'setup: %s\n' "$*"; }
die() {
    printf 'setup: ERROR: %s\n' "$*" >&2
    exit 1
}

# --------------------------------------------------------------------------
# 1. System packages
# --------------------------------------------------------------------------
# Runtime libraries of the PySide6 6.12 wheels that are NOT bundled in the
# wheel (checked with ldd/readelf on the Qt libs and plugins):
APT_PACKAGES=(
    # QtGui / QtCore
    libegl1 libgl1 libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3
    libxkbcommon0 zlib1g libzstd1
    # QtNetwork
    libgssapi-krb5-2 libbrotli1
    # xcb platform plugin (libqxcb.so, libQt6XcbQpa, xcbglintegrations)
    libx11-6 libx11-xcb1 libxcb1 libxkbcommon-x11-0
    libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
    libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0
    libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1
    # QtMultimedia (libQt6Multimedia, ffmpeg media plugin)
    libpulse0 libxext6 libxrandr2
    # ...and the libs QtMultimedia dlopen()s at start-up: without them it logs
    # "qt.multimedia.symbolsresolver: Couldn't load ..." *warnings*, which fail
    # tests under pytest-qt's qt_log_level_fail = "WARNING".
    libpipewire-0.3-0 libva2 libva-drm2 libva-x11-2
    # QtPrintSupport CUPS plugin
    libcups2
    # fonts: fontconfig config/cache tools and a CJK font (zh-CN UI)
    fontconfig fonts-noto-cjk
    # virtual X server for xcb runs (xvfb-run needs xauth)
    xvfb xauth
    # real key presses into real windows for the Xvfb test (tests/xvfb), and another
    # application's window holding the keyboard there (the call bar's test)
    xdotool xterm
    # fault tests (tests/integration/test_fault_*.py, `lobbylink bench faults`, as root):
    # network namespaces and veth pairs (ip), a loop-mounted ext4 journal (mount,
    # findmnt, mkfs.ext4, e2fsck, chattr)
    iproute2 mount util-linux e2fsprogs
    # journal tests on PostgreSQL: a throw-away server started by app/devtools/pgserver.py
    # (initdb and pg_ctl as the postgres user, a temp folder, a free port)
    postgresql
)

pkg_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

python_ok() {
    # The interpreter exists, is >= 3.11 and can create venvs with pip.
    command -v python3 >/dev/null 2>&1 &&
        python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null &&
        python3 -c 'import ensurepip, venv' >/dev/null 2>&1
}

if [[ "${LOBBYLINK_SKIP_APT:-0}" == "1" ]]; then
    say "apt step skipped (LOBBYLINK_SKIP_APT=1)"
elif ! command -v dpkg-query >/dev/null 2>&1; then
    say "no dpkg-query (not Debian?): skipping apt step; install the Qt runtime libs yourself"
else
    wanted=("${APT_PACKAGES[@]}")
    # Only when there is no .venv yet do we care whether python3 can make one.
    if [[ ! -x "$VENV/bin/python" ]] && ! python_ok; then
        command -v python3 >/dev/null 2>&1 || wanted+=(python3)
        wanted+=(python3-venv)
    fi
    missing=()
    for pkg in "${wanted[@]}"; do
        pkg_installed "$pkg" || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        say "apt packages: all ${#wanted[@]} present"
    else
        SUDO=()
        if [[ "$(id -u)" -ne 0 ]]; then
            if command -v sudo >/dev/null 2>&1; then
                SUDO=(sudo)
            else
                die "missing apt packages (${missing[*]}) and not root and no sudo; install them or set LOBBYLINK_SKIP_APT=1"
            fi
        fi
        say "installing apt packages: ${missing[*]}"
        apt_log="$(mktemp "${TMPDIR:-/tmp}/lobbylink-apt.XXXXXX")"
        if "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
            >"$apt_log" 2>&1 </dev/null &&
            "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -qq --no-install-recommends "${missing[@]}" \
                >>"$apt_log" 2>&1 </dev/null; then
            rm -f "$apt_log"
            say "apt packages installed"
        else
            tail -n 40 "$apt_log" >&2
            die "apt-get failed (full log: $apt_log)"
        fi
    fi
fi

# --------------------------------------------------------------------------
# 2. Virtual environment
# --------------------------------------------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
    command -v python3 >/dev/null 2>&1 || die "python3 not found on PATH (need Python >= 3.11)"
    py_version="$(python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
    python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ||
        die "python3 on PATH ($(command -v python3)) is $py_version; Lobbylink needs Python >= 3.11"
    if [[ -e "$VENV" ]]; then
        die "$VENV exists but has no working bin/python; remove it (rm -rf .venv) and re-run"
    fi
    say "creating .venv with $(command -v python3) ($py_version)"
    python3 -m venv "$VENV" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
fi

"$VENV/bin/python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ||
    die ".venv uses Python $("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])'); need >= 3.11: rm -rf .venv and re-run"

# --------------------------------------------------------------------------
# 3. Project install
# --------------------------------------------------------------------------
if [[ -f "$STAMP" && "$STAMP" -nt pyproject.toml ]]; then
    say "project already installed (stamp newer than pyproject.toml)"
else
    say "upgrading pip"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip </dev/null
    say "installing project: pip install -e '.[test]' (first run takes a few minutes)"
    "$VENV/bin/python" -m pip install --quiet --progress-bar off -e '.[test]' </dev/null
    touch "$STAMP"
    say "project installed"
fi

say "done"

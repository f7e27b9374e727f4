#!/usr/bin/env bash
# Lobbylink checks: setup, ruff (lint + format), mypy, import-linter, pytest.
# Extra arguments are passed to pytest, e.g. scripts/test.sh -k hub -x
# Stops at the first failing step with that step's exit code.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV_BIN="$(pwd)/.venv/bin"

say() { printf 'test: %s\n' "$*"; }

# run_step NAME CMD...: print the step, run it, stop with its exit code on failure.
run_step() {
    local name="$1"
    shift
    say "$name"
    local rc=0
    "$@" || rc=$?
    if ((rc != 0)); then
        say "FAILED: $name (exit $rc)" >&2
        exit "$rc"
    fi
}

run_step "setup" bash scripts/setup.sh
run_step "ruff check" "$VENV_BIN/ruff" check .
run_step "ruff format --check" "$VENV_BIN/ruff" format --check .
run_step "mypy" "$VENV_BIN/mypy"
run_step "lint-imports" "$VENV_BIN/lint-imports"

# Headless Qt for the test suite.
export QT_QPA_PLATFORM=offscreen
# Qt warns (a test failure under qt_log_level_fail=WARNING) when
# XDG_RUNTIME_DIR is unset; give it a private 0700 directory.
if [[ -z "${XDG_RUNTIME_DIR:-}" || ! -d "${XDG_RUNTIME_DIR}" ]]; then
    XDG_RUNTIME_DIR="$(mktemp -d "${TMPDIR:-/tmp}/lobbylink-xdg.XXXXXX")"
    chmod 700 "$XDG_RUNTIME_DIR"
    export XDG_RUNTIME_DIR
    trap 'rm -rf "$XDG_RUNTIME_DIR"' EXIT
fi

say "pytest (QT_QPA_PLATFORM=$QT_QPA_PLATFORM)"
rc=0
"$VENV_BIN/python" -m pytest "$@" || rc=$?
case "$rc" in
    0) ;;
    5)
        say "FAILED: pytest collected no tests (exit 5); an empty run does not count as a pass" >&2
        exit 5
        ;;
    *)
        say "FAILED: pytest (exit $rc)" >&2
        exit "$rc"
        ;;
esac

say "all steps passed"

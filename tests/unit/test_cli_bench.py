"""``lobbylink bench --quick --json FILE`` is the benchmark run, as the docs say."""

from __future__ import annotations

from app.cli import build_parser, with_bench_default


def test_bench_options_alone_mean_the_run() -> None:
    argv = with_bench_default(["bench", "--quick", "--json", "out.json"])
    assert argv == ["bench", "run", "--quick", "--json", "out.json"]
    args = build_parser().parse_args(argv)
    assert (args.command, args.bench, args.quick, args.json) == ("bench", "run", True, "out.json")
    assert with_bench_default(["-v", "bench", "--json", "x"]) == [
        "-v",
        "bench",
        "run",
        "--json",
        "x",
    ]
    # everything else is left as typed
    for same in (["bench", "faults", "--quick"], ["report", "--json"], ["bench", "--help"], []):
        assert with_bench_default(same) == same


def test_fault_case_choices_are_the_driver_cases() -> None:
    """The CLI spells the cases out (it imports no tool to build its parser): keep them equal."""
    from app.cli.bench import FAULT_CASES
    from app.devtools.faults.driver import CASES

    assert tuple(CASES) == FAULT_CASES

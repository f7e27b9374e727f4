"""The fault runs' station pump: a call returns once it has run on the pumping thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.devtools.faults.common import Stations
from app.domain.config import load_branch
from messaging.sockets import Endpoint


def make(tmp_path: Path) -> Stations:
    return Stations(load_branch(), Endpoint("127.0.0.1", 9), tmp_path / "keys")


def test_a_call_returns_what_ran_on_the_pumping_thread(tmp_path: Path) -> None:
    st = make(tmp_path)
    st.start()
    try:
        ran: list[str] = []

        def work() -> str:
            ran.append(threading.current_thread().name)
            return "done"

        assert st.call(work) == "done"
        # The result came back only after it ran, and it ran there, not here.
        assert ran == ["fault-stations"]
        assert st.call(lambda: threading.current_thread() is threading.main_thread()) is False
    finally:
        st.stop()


def test_a_call_raises_what_the_function_raised(tmp_path: Path) -> None:
    st = make(tmp_path)
    st.start()
    try:
        with pytest.raises(ZeroDivisionError):
            st.call(lambda: 1 // 0)
        assert st.call(lambda: 2) == 2  # the pump goes on
    finally:
        st.stop()


def test_before_start_the_caller_runs_it_and_after_stop_nobody_does(tmp_path: Path) -> None:
    st = make(tmp_path)
    assert st.call(lambda: threading.current_thread() is threading.main_thread()) is True
    st.start()
    st.stop()
    with pytest.raises(RuntimeError, match="stopped"):
        st.call(lambda: None)

"""The key folder: junk entries skipped, ids never paths, private modes."""

from __future__ import annotations

import stat
from pathlib import Path

import msgspec
import pytest
import zmq

from app.domain.config import HIDDEN_PIN, config_hash, decode_shared, load_branch, shared_config
from app.hub.auth import StationAuthenticator
from messaging import keys as keyfiles


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "keys"
    keyfiles.init(root, ["C01", "C02"])
    return root


def test_junk_entries_are_skipped_and_listed_as_broken(folder: Path) -> None:
    (folder / "stations" / "C07.key").write_bytes(b"")
    (folder / "stations" / "C08.key").write_text('metadata\ncurve\n    public-key = "abc')
    (folder / "stations" / "backup.key").mkdir()
    allowed, broken = keyfiles.read_allowlist(folder)
    assert sorted(allowed.values()) == ["C01", "C02"]
    assert sorted(broken) == ["C07.key", "C08.key", "backup.key"]
    rows = {station: status for station, status, _ in keyfiles.listing(folder)}
    assert rows == {"C01": "active", "C02": "active", "C07": "broken", "C08": "broken",
                    "backup": "broken"}  # fmt: skip


def _reloader(folder: Path) -> StationAuthenticator:
    return StationAuthenticator(zmq.Context.instance(), folder)  # not started: reload only


def test_a_junk_entry_never_stops_later_reloads(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    auth = _reloader(folder)
    (folder / "stations" / "backup.key").mkdir()
    (folder / "stations" / "C07.key").write_bytes(b"")
    assert auth.reload() == set()
    assert auth.reload() == set()
    keyfiles.revoke(folder, "C02")
    assert auth.reload() == {"C02"}
    assert sorted(auth.allowed.values()) == ["C01"]
    logged = [r.getMessage() for r in caplog.records if "broken station key" in r.getMessage()]
    assert len(logged) == 2, logged  # one line per junk entry, not one per reload


def test_a_key_replaced_in_place_or_rotated_is_reported(folder: Path, tmp_path: Path) -> None:
    auth = _reloader(folder)
    keyfiles.revoke(folder, "C01")
    keyfiles.add(folder, "C01")  # back to back: the id stays, the key changes
    assert auth.reload() == {"C01"}
    other = tmp_path / "other"
    keyfiles.init(other, ["C02"])
    target = folder / "stations" / "C02.key"
    target.write_bytes((other / "stations" / "C02.key").read_bytes())  # same inode, new key
    assert auth.reload() == {"C02"}
    assert auth.reload() == set()


@pytest.mark.parametrize("bad", ["../hub", "..", "a/b", "hub", "", "C01.key_secret/../x"])
def test_ids_are_never_paths(folder: Path, bad: str) -> None:
    with pytest.raises(keyfiles.KeyFileError):
        keyfiles.revoke(folder, bad)
    with pytest.raises(keyfiles.KeyFileError):
        keyfiles.add(folder, bad)
    assert (folder / "hub.key_secret").exists()


def test_folders_are_private_and_secrets_0600(tmp_path: Path, folder: Path) -> None:
    fresh = tmp_path / "new" / "keys"
    keyfiles.add(fresh, "C01")
    assert _mode(fresh) == 0o700 and _mode(fresh / "stations") == 0o700
    assert _mode(fresh / "stations" / "C01.key_secret") == 0o600
    (folder / "stations").chmod(0o755)
    (folder / "stations" / "C01.key_secret").chmod(0o644)
    keyfiles.add(folder, "C03")
    assert _mode(folder / "stations") == 0o700
    assert _mode(folder / "stations" / "C01.key_secret") == 0o600


def test_enrolment_requests_wait_until_approved_by_fingerprint(
    folder: Path, tmp_path: Path
) -> None:
    pc = tmp_path / "pc"
    own, made = keyfiles.own_keys(pc, "C02")
    assert made and keyfiles.own_keys(pc, "C02") == (own, False)  # never remade
    fp, new = keyfiles.request(folder, "C02", own.public)
    assert new and keyfiles.request(folder, "C02", own.public) == (fp, False)
    assert keyfiles.check_fingerprint(fp) == fp and fp == keyfiles.fingerprint(own.public)
    assert [(s, f) for s, f, _ in keyfiles.pending(folder)] == [("C02", fp)]
    with pytest.raises(keyfiles.KeyFileError, match="no enrolment request"):
        keyfiles.approve(folder, "C01", fp)
    with pytest.raises(keyfiles.KeyFileError, match="not a key fingerprint"):
        keyfiles.approve(folder, "C02", "../../x")
    keyfiles.approve(folder, "C02", fp.lower())
    assert keyfiles.allowlist(folder)[own.public] == "C02"
    assert (folder / "revoked" / "C02.key").exists()  # the key C02 had is kept, revoked
    assert keyfiles.pending(folder) == []


def test_enrolment_requests_are_capped(folder: Path) -> None:
    for _ in range(keyfiles.MAX_PENDING):
        keyfiles.request(folder, "C05", zmq.curve_keypair()[0])
    with pytest.raises(keyfiles.KeyFileError, match="already wait"):
        keyfiles.request(folder, "C05", zmq.curve_keypair()[0])
    fp = keyfiles.pending(folder)[0][1]
    keyfiles.drop(folder, "C05", fp)
    assert len(keyfiles.pending(folder)) == keyfiles.MAX_PENDING - 1


def test_the_shared_configuration_hides_pins() -> None:
    config = load_branch().config
    staff = (msgspec.structs.replace(config.staff[0], pin="4321"), *config.staff[1:])
    shared = shared_config(msgspec.structs.replace(config, staff=staff))
    assert b"4321" not in shared
    held = decode_shared(shared)
    assert held.staff[0].pin == HIDDEN_PIN and held.staff[1:] == config.staff[1:]
    assert config_hash(shared) != config_hash(shared_config(config))


def test_a_configuration_from_a_newer_hub_is_read_without_its_new_fields() -> None:
    config = load_branch().config
    data = msgspec.to_builtins(msgspec.msgpack.decode(shared_config(config)))
    data["branch"]["new_thing"] = 1
    data["stations"][0]["colour"] = "teal"
    data["brand_new_section"] = {"x": 1}
    held = decode_shared(msgspec.msgpack.encode(data))
    assert held.stations == config.stations and held.branch == config.branch

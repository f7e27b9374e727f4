"""The shipper: a hub's journal, store-and-forward, into head office's PostgreSQL.

A thread of the hub process, never on the hub's loop: the hub only nudges it after a
commit (a ``threading.Event``) and reads its :class:`LinkStatus` for the heartbeat; it
never waits for it. The shipper reads committed journal rows through its own read-only
connection, in seq order, after the central high-water mark of (branch, epoch)
(``chain_marks``), and sends them in batches, one transaction each. The central chain
trigger (app.central.schema) checks that each row continues the stored chain and moves
the mark in the same transaction; so the mark *is* the shipper's: after any crash it
resumes from it and nothing is lost or stored twice (a batch sent again is skipped row by
row, and must be identical).

When the server or the WAN is down it retries with capped exponential backoff and full
jitter (followed: the AWS Architecture Blog, "Exponential Backoff And Jitter"), and it
catches up at ``[central] rate`` events per second at most. A batch the server refuses
(the chain breaks) stops shipping for that epoch, logged as an error at both ends.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, LargeBinary, cast, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app.central import branch_row, rollup
from app.central import db as central_db
from app.central import schema as cs
from app.central.redact import Redactor
from app.domain.config import Branch, CentralLink
from app.hub import schema as js
from app.hub.chain import GENESIS, link
from app.hub.health import LinkStatus
from app.hub.journal import read_records
from app.hub.readonly import read_only_engine

log = logging.getLogger("lobbylink.central")

IDLE_S = 1.0
"""Longest wait for a nudge before looking at the journal anyway."""
SEEN_EVERY_S = cs.SEEN_EVERY_S
"""How often an idle shipper tells head office the branch is alive (branches.last_seen)."""
RETRY_MIN_S = 0.5
PARTITIONS_EVERY_S = 12 * 3600.0
"""How often a connected shipper asks head office to make the coming months' partitions."""
ROLLUPS_RECHECK_S = 600.0
"""How often a shipper whose head office has no daily rollups asks again."""
IDLE_IN_TRANSACTION_S = 60
"""Head office ends a shipper's session that waits this long inside a batch's transaction
(``idle_in_transaction_session_timeout``), and probes its TCP connection as the shipper
does (app.central.db ``make_engine``): the batch's locks of a branch that died in it,
unseen behind a WAN cut, are freed within about a minute, not when TCP gives up
(hours)."""


class NotReady(Exception):
    """Head office's database is not set up for this branch yet (retried like a cut)."""


class ChainRefused(Exception):
    """Head office's copy and the branch's journal do not continue each other."""


class Shipper(threading.Thread):
    """Ships one journal (one epoch) of one branch; :meth:`start`, :meth:`nudge`, :meth:`stop`."""

    def __init__(
        self,
        journal_url: str,
        central_url: str,
        branch: Branch,
        epoch: str,
        link_config: CentralLink,
    ) -> None:
        super().__init__(name="central-shipper", daemon=True)
        self.journal_url, self.central_url = journal_url, central_url
        self.code = branch.config.branch.id
        self.region = branch.config.branch.region
        self.name_ = branch.config.branch.name.zh_CN
        self.timezone = branch.config.branch.timezone
        self.epoch = epoch
        self.config = link_config
        self.redactor = Redactor(branch, link_config.ship_personal)
        self.status = LinkStatus("connecting", since_mono=time.monotonic())
        self._wake = threading.Event()
        self._stopping = False
        self._central: Engine | None = None
        self._local: Engine | None = None
        self._seen_at = -1e9
        self._partitions_at = -1e9
        self._failures = 0
        self._has_head = False
        """Whether head office's ``branches`` has the head columns (migration c0006)."""
        self._rollups_checked: float | None = None
        self._has_rollups = False
        self.shipped = 0
        """Events this shipper stored centrally (for tests and the log)."""
        self.upto: Callable[[], int] | None = None
        """One of a standby pair (app.hub.pairing): the last seq the pair acknowledged
        (0 while this hub does not serve); rows above it are not shipped yet. Kafka's
        high watermark: head office never sees a row the pair may still set aside."""

    # What the hub calls (any thread; never blocks) -------------------------------------------
    def nudge(self) -> None:
        self._wake.set()

    def stop(self, wait_s: float = 3.0) -> None:
        self._stopping = True
        self._wake.set()
        if self.is_alive():
            self.join(wait_s)

    # The thread ---------------------------------------------------------------------------
    def run(self) -> None:
        log.info(
            "shipping branch %s epoch %s to head office (%s)",
            self.code,
            self.epoch,
            "with personal text" if self.config.ship_personal else "typed text stays here",
        )
        try:
            while not self._stopping:
                try:
                    self._session()
                except ChainRefused as exc:
                    self._set("refused", reason=str(exc))
                    log.error(
                        "head office refused the journal of epoch %s: %s; shipping stopped "
                        "for this epoch (check both with `lobbylink verify`)",
                        self.epoch,
                        exc,
                    )
                    return
                except (SQLAlchemyError, OSError, NotReady) as exc:
                    self._down(exc)
                except Exception as exc:  # a bug must not end shipping for good
                    log.exception("unexpected failure while shipping")
                    self._down(exc)
        finally:
            for engine in (self._central, self._local):
                if engine is not None:
                    engine.dispose()

    def _set(self, state: str, **changes: Any) -> None:
        now = time.monotonic()
        since = self.status.since_mono if state == self.status.state else now
        self.status = self.status._replace(state=state, since_mono=since, **changes)

    def _down(self, exc: BaseException) -> None:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()
        reason_line = reason[0] if reason else type(exc).__name__
        if self.status.state != "down":
            log.warning("head office unreachable: %s; the branch goes on, retrying", reason_line)
        self._set("down", reason=reason_line, pending_ts_ms=self._pending_ts())
        if self._central is not None:
            self._central.dispose()
            self._central = None
        self._failures += 1
        cap = min(self.config.retry_max_s, RETRY_MIN_S * 2 ** min(self._failures, 16))
        self._sleep(random.uniform(RETRY_MIN_S / 2, max(cap, RETRY_MIN_S)))

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self._stopping:
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.2))

    def _pending_ts(self) -> int:
        """Hub time of the first event after the central mark (0: none, or not known)."""
        if self.status.central_seq < 0:
            return self.status.pending_ts_ms
        try:
            e = js.events.c
            with self._journal().connect() as conn:
                found = conn.execute(
                    select(e.hub_ts_ms).where(e.seq == self.status.central_seq + 1)
                ).scalar()
        except SQLAlchemyError:
            return self.status.pending_ts_ms
        return int(found or 0)

    # One connection's life ---------------------------------------------------------------
    def _engine(self) -> Engine:
        if self._central is None:
            self._central = central_db.make_engine(
                self.central_url, timeout_s=5, idle_in_transaction_s=IDLE_IN_TRANSACTION_S
            )
        return self._central

    def _journal(self) -> Engine:
        if self._local is None:
            self._local = read_only_engine(self.journal_url)
        return self._local

    def _session(self) -> None:
        if self.upto is not None:  # one of a standby pair: ship only once this hub serves
            while not self._stopping and self.upto() <= 0:
                self._wake.wait(IDLE_S)
                self._wake.clear()
            with self._journal().connect() as conn:  # a new backup took its pair's epoch
                m = js.meta.c
                self.epoch = str(conn.execute(select(m.value).where(m.key == "epoch")).scalar())
        engine = self._engine()
        with engine.connect() as conn:
            if conn.execute(text("SELECT to_regclass('chain_marks')")).scalar() is None:
                conn.rollback()
                self._create_schema(engine)
            conn.rollback()
        seq, digest = self._mark(engine)
        self._partitions(engine)
        self._failures = 0
        if self.status.state != "connected":
            log.info("head office reached; its copy of epoch %s ends at seq %d", self.epoch, seq)
        self._set("connected", central_seq=seq, reason="")
        while not self._stopping:
            rows = self._read(seq, self.config.batch)
            if not rows:
                self.status = self.status._replace(pending_ts_ms=0)
                self._seen(engine)
                self._partitions(engine)
                self._wake.wait(IDLE_S)
                self._wake.clear()
                continue
            self.status = self.status._replace(pending_ts_ms=int(rows[0]["hub_ts_ms"]))
            started = time.monotonic()
            seq, digest = self._ship(engine, rows, digest)
            self.shipped += len(rows)
            self.status = self.status._replace(
                central_seq=seq, last_mono=time.monotonic(), state="connected"
            )
            # the catch-up rate: at most ``rate`` events a second
            self._sleep(len(rows) / self.config.rate - (time.monotonic() - started))

    def _partitions(self, engine: Engine) -> None:
        """Have head office make the coming months' partitions (at most twice a day;
        ``lobbylink central init`` does the same): a month never lands in the default."""
        if time.monotonic() - self._partitions_at < PARTITIONS_EVERY_S:
            return
        self._partitions_at = time.monotonic()
        try:
            with engine.begin() as conn:
                made = conn.execute(
                    text("SELECT lobbylink_ensure_partitions(:ahead)"),
                    {"ahead": cs.PARTITIONS_AHEAD},
                ).scalar()
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != "42883":  # undefined function: older
                raise
            log.warning("head office's schema is older: run `lobbylink central init` there")
            return
        if made:
            log.info("head office: %d monthly partitions made ahead", made)

    def _create_schema(self, engine: Engine) -> None:
        """A shipper meeting an empty database creates the schema if its role is an
        administrator's (a development set-up). A branch role never does, even where
        PostgreSQL < 15 would let it create tables in ``public``: it would own them and
        so pass by every row-level policy."""
        with engine.connect() as conn:
            admin = conn.execute(
                text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
            ).scalar()
        if not admin:
            raise NotReady(
                "the central database has no Lobbylink schema: run `lobbylink central init` there"
            )
        try:
            central_db.upgrade(engine)
            with engine.begin() as conn:
                central_db.ensure_partitions(conn)
        except DBAPIError as exc:
            raise NotReady(
                "the central database has no Lobbylink schema and this role may not create "
                "it: run `lobbylink central init` there"
            ) from exc
        log.info("created the central schema")

    def _mark(self, engine: Engine) -> tuple[int, bytes]:
        """The central high-water mark of (branch, epoch): where to resume, and it is
        checked against the branch's own journal."""
        m = cs.chain_marks.c
        with engine.begin() as conn:
            self._register(conn)
            found = conn.execute(
                select(m.last_seq, m.last_hash).where(m.branch == self.code, m.epoch == self.epoch)
            ).first()
        if found is None:
            return self._chain_start()
        seq, digest = int(found[0]), bytes(found[1])
        local = self._local_hash(seq)
        if local is not None and local != digest:
            raise ChainRefused(
                f"head office's copy ends at seq {seq} with hash {digest.hex()[:16]}…, "
                f"the journal has {local.hex()[:16]}… there"
            )
        return seq, digest

    def _register(self, conn: Any) -> None:
        region = branch_row.register(conn, self.code, self.region, self.name_, self.timezone)
        if region is not None and region != self.region:
            log.warning(
                "head office files branch %s under region %r, its config says %r",
                self.code,
                region,
                self.region,
            )
        self._has_head = branch_row.has_head(conn)
        branch_row.seen(conn, self.code, self._head())
        self._seen_at = time.monotonic()

    def _seen(self, engine: Engine) -> None:
        if time.monotonic() - self._seen_at < SEEN_EVERY_S:
            return
        with engine.begin() as conn:
            if not self._has_head:  # head office upgraded since we connected?
                self._has_head = branch_row.has_head(conn)
            branch_row.seen(conn, self.code, self._head())
        self._seen_at = time.monotonic()

    def _head(self) -> tuple[int, int] | None:
        """(seq, hub time) of the journal's newest committed event, for the region
        board's lag; None when head office has no place for it or the journal cannot
        be read."""
        if not self._has_head:
            return None
        e = js.events.c
        try:
            with self._journal().connect() as conn:
                row = conn.execute(
                    select(e.seq, e.hub_ts_ms).order_by(e.seq.desc()).limit(1)
                ).first()
        except SQLAlchemyError:
            return None
        return (0, 0) if row is None else (int(row[0]), int(row[1]))

    def _chain_start(self) -> tuple[int, bytes]:
        """Where the branch journal's chain begins (before its first row)."""
        with self._journal().connect() as conn:
            start = conn.execute(
                select(js.meta.c.value).where(js.meta.c.key == "chain_start")
            ).scalar()
        if not start:
            return 0, GENESIS
        seq, _, digest = str(start).partition(":")
        return int(seq), bytes.fromhex(digest)

    def _local_hash(self, seq: int) -> bytes | None:
        e = js.events.c
        with self._journal().connect() as conn:
            found = conn.execute(select(cast(e.hash, LargeBinary)).where(e.seq == seq)).scalar()
        return None if found is None else bytes(found)

    def _read(self, after: int, limit: int) -> list[dict[str, Any]]:
        if self.upto is not None:
            limit = min(limit, self.upto() - after)
            if limit <= 0:
                return []
        return [
            {
                "seq": r.seq,
                "hub_ts_ms": r.hub_ts_ms,
                "kind": r.kind,
                "station": r.station,
                "staff": r.staff,
                "signal_id": r.signal_id,
                "body": r.body,
                "hash": r.hash,
            }
            for r in read_records(self._journal(), after, limit)
        ]

    def _signals(self, ids: set[int]) -> list[dict[str, Any]]:
        """The branch journal's signals rows of ``ids``, as they leave the branch."""
        if not ids:
            return []
        found: list[dict[str, Any]] = []
        columns = [c for c in js.signals.columns]
        with self._journal().connect() as conn:
            for chunk in _chunks(sorted(ids), 500):
                for row in conn.execute(select(*columns).where(js.signals.c.signal_id.in_(chunk))):
                    item = dict(row._mapping)
                    if not self.config.ship_personal:
                        item["ticket"] = item["note"] = ""
                    item.update(branch=self.code, epoch=self.epoch)
                    found.append(item)
        return found

    def _ship(self, engine: Engine, rows: list[dict[str, Any]], prev: bytes) -> tuple[int, bytes]:
        """One batch in one transaction; the new mark. The branch checks its own chain
        first (a broken journal is not shipped), the server checks it continues its copy."""
        personal = self.config.ship_personal
        out: list[dict[str, Any]] = []
        expected = prev
        last_seq = rows[0]["seq"] - 1
        if self.status.central_seq >= 0 and rows[0]["seq"] > self.status.central_seq + 1:
            raise ChainRefused(
                f"the journal no longer holds seq {self.status.central_seq + 1} to "
                f"{rows[0]['seq'] - 1} (archived before they were shipped?)"
            )
        for row in rows:
            digest = link(expected, row["seq"], row["body"])
            if row["seq"] != last_seq + 1 or row["hash"] != digest:
                raise ChainRefused(
                    f"the branch journal's own chain breaks at seq {row['seq']}; not shipped"
                )
            body = self.redactor.body(row["body"])
            out.append(
                {
                    "branch": self.code,
                    "epoch": self.epoch,
                    **row,
                    "body": body,
                    "personal": personal,
                    "prev_hash": expected,
                }
            )
            expected, last_seq = digest, row["seq"]
        projected = self._signals({r["signal_id"] for r in rows if r["signal_id"] is not None})
        for sig in projected:
            sig["seq"] = last_seq
        try:
            with engine.begin() as conn:
                conn.execute(pg_insert(cs.events).on_conflict_do_nothing(), out)
                if projected:
                    stmt = pg_insert(cs.signals)
                    keys = ("branch", "epoch", "signal_id", "raised_ms")
                    conn.execute(
                        stmt.on_conflict_do_update(
                            index_elements=list(keys),
                            set_={
                                c.name: stmt.excluded[c.name]
                                for c in cs.signals.columns
                                if c.name not in keys
                            },
                        ),
                        projected,
                    )
                    self._rollups(conn, projected)
                m = cs.chain_marks.c
                mark = conn.execute(
                    select(m.last_seq, m.last_hash).where(
                        m.branch == self.code, m.epoch == self.epoch
                    )
                ).first()
                if mark is None or int(mark[0]) < last_seq:
                    raise ChainRefused(f"head office did not move its mark to seq {last_seq}")
                if self._has_head:  # the region board's lag, with the batch
                    branch_row.seen(conn, self.code, self._head())
                if int(mark[0]) > last_seq:  # stored further already: resume from there
                    return int(mark[0]), bytes(mark[1])
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == cs.CHAIN_BROKEN:
                raise ChainRefused(str(exc.orig).splitlines()[0]) from exc
            raise
        return last_seq, expected

    # Daily rollups ---------------------------------------------------------------------------
    def _rollups(self, conn: Any, projected: list[dict[str, Any]]) -> None:
        """Recompute, in the batch's transaction, the branch's local days its signals
        were raised on (app.central.rollup): a signal acknowledged after midnight
        recomputes the day it was raised. A head office still without the rollups
        (an older schema: asked again every ``ROLLUPS_RECHECK_S``) is told once; the
        batch ships all the same."""
        now = time.monotonic()
        if self._rollups_checked is None or (
            not self._has_rollups and now - self._rollups_checked > ROLLUPS_RECHECK_S
        ):
            self._rollups_checked = now
            self._has_rollups = rollup.available(conn)
            if not self._has_rollups:
                log.warning(
                    "head office's schema has no daily rollups: run `lobbylink central init`"
                )
        if self._has_rollups:
            rollup.touch(conn, self.code, (sig["raised_ms"] for sig in projected))


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i : i + size] for i in range(0, len(items), size)]

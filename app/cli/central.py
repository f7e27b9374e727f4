"""``lobbylink central``: head office's database (init/upgrade, branches and their roles)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.cli.common import CliError, Subcommands

if TYPE_CHECKING:
    from sqlalchemy import Engine

URL_HELP = (
    "the central PostgreSQL as a URL, e.g. postgresql://admin@dbhost/lobbylink"
    "?sslmode=verify-full (psycopg 3; TLS as the URL asks)"
)


def _engine(url: str) -> Engine:
    from app.central.db import CentralError, make_engine

    try:
        return make_engine(url)
    except CentralError as exc:
        raise CliError(str(exc)) from exc


def _fail(url: str, exc: Exception) -> CliError:
    from sqlalchemy.engine import make_url

    text = str(getattr(exc, "orig", exc)).strip().splitlines()
    shown = make_url(url).render_as_string(hide_password=True)  # never the password
    return CliError(f"the central database at {shown}: {text[0] if text else exc}")


def run_init(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from app.central.db import ensure_partitions, upgrade

    engine = _engine(args.central)
    try:
        before, now = upgrade(engine)
        with engine.begin() as conn:
            made = ensure_partitions(conn, ahead=args.ahead)
    except DBAPIError as exc:
        raise _fail(args.central, exc) from exc
    finally:
        engine.dispose()
    if before == now:
        print(f"central schema at revision {now} (up to date)")
    else:
        print(f"central schema {'created' if before is None else 'upgraded'}: revision {now}")
    print(f"partitions created: {', '.join(made) if made else 'none needed'}")
    return 0


def run_add_branch(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from app.central.db import CentralError, add_branch, role_for

    role = args.role or role_for(args.code)
    engine = _engine(args.central)
    try:
        with engine.begin() as conn:
            add_branch(conn, args.code, args.region, args.name, role)
    except CentralError as exc:
        raise CliError(str(exc)) from exc
    except DBAPIError as exc:
        raise _fail(args.central, exc) from exc
    finally:
        engine.dispose()
    print(f"branch {args.code} (region {args.region or '-'}) ships as role {role}")
    print(f"set its password or certificate, e.g.: ALTER ROLE {role} PASSWORD '…';")
    return 0


def run_add_region_role(args: argparse.Namespace) -> int:
    """A regional manager's login role: reads its region's branches only (row-level
    security, migration c0005); no password set here, as for a branch's role."""
    import re

    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from app.central.schema import REGIONS_GROUP

    role = args.role
    if not re.match(r"^[a-z_][a-z0-9_]{0,62}$", role):
        raise CliError(f"{role!r} is not a role name (lower-case letters, digits, _)")
    if not args.region.strip():
        raise CliError("--region is empty")
    engine = _engine(args.central)
    try:
        with engine.begin() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
            conn.execute(text(f'GRANT {REGIONS_GROUP} TO "{role}"'))
            conn.execute(
                text(
                    "INSERT INTO region_roles (role, region) VALUES (:r, :g) "
                    "ON CONFLICT (role) DO UPDATE SET region = EXCLUDED.region"
                ),
                {"r": role, "g": args.region},
            )
    except DBAPIError as exc:
        raise _fail(args.central, exc) from exc
    finally:
        engine.dispose()
    print(f"role {role} reads region {args.region}")
    print(f"set its password or certificate, e.g.: ALTER ROLE {role} PASSWORD '…';")
    return 0


def run_rollup(args: argparse.Namespace) -> int:
    """Rebuild the daily rollups from the signals projection (after a repair, a branch's
    time zone changed, or to be sure): every branch the role may see."""
    from sqlalchemy.exc import DBAPIError

    from app.central.rollup import available, rebuild
    from app.cli.common import iso_day

    if bool(args.date_from) != bool(args.date_to):
        raise CliError("--from and --to go together")
    first = iso_day("--from", args.date_from) if args.date_from else None
    last = iso_day("--to", args.date_to) if args.date_to else None
    if first is not None and last is not None and last < first:
        raise CliError(f"--to {last} is before --from {first}")
    engine = _engine(args.central)

    def said(code: str, days: int, rows: int) -> None:
        print(f"branch {code}: {days} days, {rows} rows")

    try:
        with engine.connect() as conn:
            if not available(conn):
                raise CliError(
                    "the central schema has no daily rollups yet: run `lobbylink central init`"
                )
            conn.rollback()
            branches, days, rows = rebuild(conn, first, last, progress=said)
    except DBAPIError as exc:
        raise _fail(args.central, exc) from exc
    finally:
        engine.dispose()
    span = f"{first} to {last}" if first else "every day"
    print(f"daily rollups rebuilt ({span}): {branches} branches, {days} days, {rows} rows")
    return 0


def add_parser(sub: Subcommands) -> None:
    p = sub.add_parser("central", help="head office's database: create, upgrade, add branches")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    init = actions.add_parser(
        "init", help="create or upgrade the central schema and its monthly partitions"
    )
    init.add_argument("--central", required=True, metavar="URL", help=URL_HELP)
    init.add_argument(
        "--ahead",
        type=int,
        default=3,
        metavar="N",
        help="create partitions up to N months ahead (default %(default)s; run monthly)",
    )
    init.set_defaults(func=run_init)
    add = actions.add_parser(
        "add-branch", help="register a branch and create the PostgreSQL role it ships as"
    )
    add.add_argument("--central", required=True, metavar="URL", help=URL_HELP)
    add.add_argument("--code", required=True, help="the branch code: [branch] id of its config")
    add.add_argument("--region", default="", help="its region (head office's word)")
    add.add_argument("--name", default="", help="its name, for reports")
    add.add_argument("--role", default="", help="role name (default lobbylink_branch_<code>)")
    add.set_defaults(func=run_add_branch)
    region = actions.add_parser(
        "add-region-role",
        help="create a regional manager's PostgreSQL role: it reads its region's branches only",
    )
    region.add_argument("--central", required=True, metavar="URL", help=URL_HELP)
    region.add_argument("--region", required=True, help="the region (as in add-branch)")
    region.add_argument("--role", required=True, help="the role name, e.g. lobbylink_east")
    region.set_defaults(func=run_add_region_role)
    roll = actions.add_parser(
        "rollup",
        help="rebuild the daily rollups from the signals (every branch, or a range of days)",
    )
    roll.add_argument("--central", required=True, metavar="URL", help=URL_HELP)
    roll.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first local day")
    roll.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last local day")
    roll.set_defaults(func=run_rollup)

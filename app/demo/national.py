"""Generated worlds for measuring the platform at size: `flask demo seed --scale national|region`.

A national world has 2,500 schools, 50,000 enterprises, 120,000 hosts, 200,000 teachers,
60,000 placements and 100,000 endorsed applications with three ranked choices each; a region
world (Inner Mongolia's own size) has 60 schools, 5,000 enterprises and 10,000 teachers. Rows
go in through PostgreSQL's COPY (executemany elsewhere), in one transaction, from a seeded
random source: the same seed gives the same world. Every account shares one password, hashed
once. The generator runs only on a database without schools, enterprises or accounts (after
`flask db upgrade` and `flask reference load`); a second run finds its own world (one audit
event marks it) and adds nothing. Never run it on a production database.
"""

import random
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, text

from app.auth.models import User
from app.auth.services import check_password_rules, hash_password
from app.common import audit
from app.common.models import AuditEvent
from app.common.privacy import PRIVACY_NOTICE_VERSION
from app.common.time import local_today, utcnow
from app.demo import data
from app.extensions import db
from app.reference.models import Industry, Major, Occupation, Region
from app.reference.services import load_reference
from app.registry import uscc as uscc_mod
from app.registry.models import Enterprise, School

SEED = 20260101
PASSWORD = "Gongxue-Bench-2025"  # noqa: S105 (a published password of generated accounts)
DOMAIN = "bench.gongxue.cn"
REGION_ADMIN_EMAIL = f"region-admin@{DOMAIN}"
LEAGUE_ADMIN_EMAIL = "league-admin-{code}@" + DOMAIN
SCHOOL_EMAIL = "school-{n:05d}@" + DOMAIN
ENTERPRISE_EMAIL = "enterprise-{n:06d}@" + DOMAIN
TEACHER_EMAIL = "teacher-{n:06d}@" + DOMAIN
#: The audit note that marks a generated world (and names its scale).
MARK = "generated {scale} world, seed {seed}"
MARK_PREFIX = "generated "
NOTE = "生成的测试数据：名称、代码与联系方式均为虚构，并非官方记录。"
CHUNK = 5000


@dataclass(frozen=True)
class Scale:
    """How many of each record a generated world holds."""

    name: str
    schools: int
    enterprises: int
    hosts: int
    teachers: int
    placements: int
    applications: int
    offers: int
    choices: int = 3


SCALES: dict[str, Scale] = {
    "national": Scale("national", 2500, 50000, 120000, 200000, 60000, 100000, 30000),
    "region": Scale("region", 60, 5000, 12000, 10000, 6000, 5000, 3000),
    "tiny": Scale("tiny", 6, 30, 60, 80, 30, 40, 15),
}

SCHOOL_STATUS = {"approved": 96, "pending": 3, "rejected": 1}
ENTERPRISE_STATUS = {"approved": 95, "pending": 4, "rejected": 1}
SIZE_WEIGHTS = {"micro": 15, "small": 38, "medium": 35, "large": 12}
#: Extra hosts an enterprise of a size band tends to open beyond its first workshop.
SIZE_EXTRA_HOSTS = {"micro": 0.3, "small": 1.0, "medium": 1.8, "large": 3.5}
HOST_KIND_WEIGHTS = {"workshop": 45, "training_station": 33, "master_studio": 22}
SCHOOL_TEACHERS = {"technician_college": 14, "senior_technical_school": 9, "technical_school": 6}
CONFIRMED_SHARE = 0.93
PLACEMENT_STATUS = {"open": 94, "draft": 3, "closed": 3}
OFFER_STATUS = {"open": 90, "draft": 5, "closed": 5}
TITLES = ("讲师", "高级讲师", "一级实习指导教师", "二级实习指导教师", "助理讲师")
LEVELS = ("intermediate", "advanced", "advanced", "technician")
MODES = ("enterprise_in_school", "school_in_enterprise", "linkage", "enterprise_run")


class GenerateRefused(RuntimeError):
    """The database is not one the generator may fill (other data, or another world)."""


@dataclass
class GenerateResult:
    """What a run did: created or not, rows per table, seconds per table and in all."""

    scale: str
    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0
    logins: list[tuple[str, str]] = field(default_factory=list)


def scale_of(scale: "str | Scale") -> Scale:
    """The Scale for a name (national, region, tiny) or the Scale itself."""
    if isinstance(scale, Scale):
        return scale
    try:
        return SCALES[scale]
    except KeyError:
        raise ValueError(f"unknown scale {scale!r}: use one of {', '.join(SCALES)}") from None


def generated_scale() -> str | None:
    """The scale of the generated world in the database, or None."""
    note = db.session.scalar(
        select(AuditEvent.note)
        .where(AuditEvent.action == "demo.seed", AuditEvent.note.like(MARK_PREFIX + "%"))
        .order_by(AuditEvent.id)
        .limit(1)
    )
    return note.split()[1] if note else None


def logins() -> list[tuple[str, str]]:
    """(role, email) of one account per role, for benchmarks; the password is PASSWORD."""
    return [
        ("region_admin", REGION_ADMIN_EMAIL),
        ("league_admin", LEAGUE_ADMIN_EMAIL.format(code=data.HOHHOT)),
        ("school", SCHOOL_EMAIL.format(n=1)),
        ("enterprise", ENTERPRISE_EMAIL.format(n=1)),
        ("teacher", TEACHER_EMAIL.format(n=1)),
    ]


def _check_target(scale: Scale) -> bool:
    """True when this scale's world is present already; raises GenerateRefused otherwise
    unless the database holds no schools, enterprises or accounts."""
    present = generated_scale()
    if present == scale.name:
        return True
    if present is not None:
        raise GenerateRefused(
            f"the database holds a generated {present} world; use a fresh database for {scale.name}"
        )
    counts = {
        "schools": db.session.scalar(select(func.count(School.id))),
        "enterprises": db.session.scalar(select(func.count(Enterprise.id))),
        "accounts": db.session.scalar(select(func.count(User.id))),
    }
    if any(counts.values()):
        found = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
        raise GenerateRefused(
            f"the database holds other data ({found}): the generator fills only an empty "
            "database (after `flask db upgrade` and `flask reference load`), never a real one"
        )
    return False


def generate(
    scale: "str | Scale",
    seed: int = SEED,
    echo: Callable[[str], None] | None = None,
) -> GenerateResult:
    """Fill an empty database with a generated world of the scale (national, region or tiny).

    Returns created=False, adding nothing, when the same scale's world is present; raises
    GenerateRefused on a database with other data or another world. Flushes; the caller
    commits (one transaction, so a failed run leaves nothing behind).
    """
    sc = scale_of(scale)
    if current_app.config.get("ENV_NAME") == "production":
        raise GenerateRefused("generated worlds are refused in production")
    if _check_target(sc):
        return GenerateResult(sc.name, created=False, logins=logins())
    check_password_rules(PASSWORD)
    return _Builder(sc, seed, echo or (lambda _line: None)).build()


class _Writer:
    """Bulk rows into tables: COPY on PostgreSQL, executemany in chunks elsewhere."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.conn = db.session.connection()
        self.postgres = self.conn.dialect.name == "postgresql"
        self.echo = echo
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def next_id(self, table: str) -> int:
        """The first free id of the table."""
        assert table in db.metadata.tables, table
        stmt = text(f"SELECT max(id) FROM {table}")  # noqa: S608 (a known table's name)
        return (self.conn.execute(stmt).scalar() or 0) + 1

    def write(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        """Insert the rows (tuples in the order of columns); returns how many."""
        started = time.perf_counter()
        count = 0
        if self.postgres:
            raw = self.conn.connection.driver_connection
            names = ", ".join(f'"{c}"' for c in columns)
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
                    count += 1
        else:
            stmt = db.metadata.tables[table].insert()
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append(dict(zip(columns, row, strict=True)))
                if len(batch) >= CHUNK:
                    self.conn.execute(stmt, batch)
                    count += len(batch)
                    batch = []
            if batch:
                self.conn.execute(stmt, batch)
                count += len(batch)
        elapsed = time.perf_counter() - started
        self.counts[table] = self.counts.get(table, 0) + count
        self.seconds[table] = self.seconds.get(table, 0.0) + elapsed
        self.echo(f"  {table:<22} {count:>8} rows {elapsed:7.2f}s")
        return count

    def finish(self, tables: Iterable[str]) -> None:
        """Move id sequences past the written ids and refresh the planner's statistics."""
        started = time.perf_counter()
        for table in tables:
            if self.postgres:
                if "id" in db.metadata.tables[table].c:
                    sql = "SELECT setval(pg_get_serial_sequence('{0}', 'id'), coalesce(max(id), 1))"
                    sql += " FROM {0}"
                    self.conn.execute(text(sql.format(table)))
                self.conn.execute(text(f"ANALYZE {table}"))
        if not self.postgres:
            self.conn.execute(text("ANALYZE"))
        self.seconds["analyze"] = time.perf_counter() - started
        self.echo(f"  {'(sequences, analyze)':<22} {'':>8}      {self.seconds['analyze']:7.2f}s")


@dataclass
class _Org:
    id: int
    league: str
    status: str
    kind: str = ""
    owner: int = 0
    trade: data.Trade | None = None


@dataclass
class _Host:
    id: int
    enterprise: int
    league: str
    kind: str
    name: str
    codes: tuple[str, ...]


def _allocate(total: int, weights: dict[str, float], minimum: int) -> dict[str, int]:
    """Split total over the keys by weight (largest remainder), each at least minimum."""
    if total < minimum * len(weights):
        minimum = 0
    counts = dict.fromkeys(weights, minimum)
    rest = total - minimum * len(weights)
    wsum = sum(weights.values())
    shares = {k: rest * w / wsum for k, w in weights.items()}
    for k, share in shares.items():
        counts[k] += int(share)
    left = total - sum(counts.values())
    for k in sorted(shares, key=lambda k: (-(shares[k] - int(shares[k])), k))[:left]:
        counts[k] += 1
    return counts


class _Builder:
    """One run of the generator."""

    def __init__(self, scale: Scale, seed: int, echo: Callable[[str], None]) -> None:
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.echo = echo
        self.now = utcnow()
        self.today = local_today(self.now)
        self.codes: set[str] = set()
        self.names: set[str] = set()

    # --- small helpers --------------------------------------------------------------------

    def pick(self, options: dict[str, int]) -> str:
        keys = list(options)
        return self.rng.choices(keys, weights=[options[k] for k in keys])[0]

    def picks(self, options: dict[str, int], k: int) -> list[str]:
        keys = list(options)
        return self.rng.choices(keys, weights=[options[k] for k in keys], k=k)

    def person(self) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            name = rng.choice(data.MONGOLIAN_NAMES)
            if rng.random() < 0.4:
                name = rng.choice(("包", "宝", "白", "韩", "鲍")) + name
            return name
        return rng.choice(data.SURNAMES) + "".join(
            rng.choices(data.GIVEN_CHARS, k=rng.choice((1, 2, 2)))
        )

    def mobile(self) -> str:
        return self.rng.choice(data.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def landline(self, league: data.League) -> str:
        return f"{league.area_code}-{self.rng.choice('3456789')}{self.rng.randrange(10**6):06d}"

    def address(self, league: data.League) -> str:
        places = league.districts + league.counties
        return (
            f"{self.region_names[league.code]}{self.rng.choice(places)}"
            f"{self.rng.choice(data.ROADS)}{self.rng.randint(1, 999)}号"
        )

    def credit_code(self, authority: str, division: str) -> str:
        while True:
            if authority == "91" and self.rng.random() < 0.55:
                body = "MA" + "".join(self.rng.choices(uscc_mod.CHARS, k=7))
            else:
                body = f"{self.rng.randrange(10**9):09d}"
            first17 = authority + division + body
            code = first17 + uscc_mod.check_character(first17)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def unique(self, make: Callable[[], str]) -> str:
        for _ in range(30):
            name = make()
            if name not in self.names:
                self.names.add(name)
                return name
        name = f"{make()}（{len(self.names) + 1}）"
        self.names.add(name)
        return name

    def period(self, lead: tuple[int, int], length: tuple[int, int]) -> tuple[date, date]:
        start = self.today + timedelta(days=self.rng.randint(*lead))
        return start, start + timedelta(days=self.rng.randint(*length))

    # --- the run --------------------------------------------------------------------------

    def build(self) -> GenerateResult:
        """Every table in order; returns counts and timings."""
        started = time.perf_counter()
        self._reference()
        self.w = _Writer(self.echo)
        self.echo(f"generating the {self.scale.name} world (seed {self.seed})")
        hash_started = time.perf_counter()
        self.password_hash = hash_password(PASSWORD)
        hashed = time.perf_counter() - hash_started
        self.echo(f"  {'(password hash)':<22} {'':>8}      {hashed:7.2f}s")
        self._admins()
        self._schools()
        self._enterprises()
        self._org_accounts()
        self._hosts()
        self._school_majors()
        self._teachers()
        self._placements()
        self._offers()
        self._applications()
        tables = list(self.w.counts)
        self.w.finish(tables)
        counts = self._summary()
        admin = db.session.get(User, self.admin_id)
        audit.record(
            None,
            "demo.seed",
            admin,
            after=counts,
            note=MARK.format(scale=self.scale.name, seed=self.seed),
        )
        db.session.flush()
        total = time.perf_counter() - started
        self.echo(f"  {'total':<22} {'':>8}      {total:7.2f}s")
        return GenerateResult(
            self.scale.name,
            created=True,
            counts=counts,
            seconds=dict(self.w.seconds),
            total_seconds=total,
            logins=logins(),
        )

    def _summary(self) -> dict[str, int]:
        c = self.w.counts
        return {
            "schools": c.get("school", 0),
            "enterprises": c.get("enterprise", 0),
            "hosts": c.get("host", 0),
            "teachers": c.get("teacher", 0),
            "accounts": c.get("user_account", 0),
            "school_majors": c.get("school_major", 0),
            "placements": c.get("placement", 0),
            "offers": c.get("offer", 0),
            "applications": c.get("application", 0),
            "application_choices": c.get("application_choice", 0),
        }

    def _reference(self) -> None:
        regions = {r.code: r.name for r in db.session.scalars(select(Region))}
        if any(lg.code not in regions for lg in data.LEAGUES):
            load_reference()
            regions = {r.code: r.name for r in db.session.scalars(select(Region))}
        self.region_names = regions
        self.occupations = set(db.session.scalars(select(Occupation.code)))
        self.sections = set(db.session.scalars(select(Industry.section)))
        self.majors = list(
            db.session.execute(
                select(Major.id, Major.occupation_code)
                .where(Major.active.is_(True))
                .order_by(Major.id)
            )
        )
        if not self.occupations or not self.majors or not self.sections:
            raise GenerateRefused("reference data is missing: run `flask reference load` first")
        spare = sorted(self.occupations)
        self.trade_codes = {
            t.key: tuple(c for c in t.occupations if c in self.occupations)
            or tuple(self.rng.sample(spare, min(3, len(spare))))
            for t in data.TRADES
        }

    def _user_row(self, uid: int, email: str, name: str, role: str, **kw: Any) -> tuple:
        return (
            uid,
            email,
            name,
            self.password_hash,
            role,
            kw.get("region_code"),
            kw.get("school_id"),
            kw.get("enterprise_id"),
            kw.get("membership_role"),
            True,
            secrets.token_hex(16),
            PRIVACY_NOTICE_VERSION,  # generated people have accepted the notice, as the demo's
            self.now,
            self.now,
            self.now,
        )

    USER_COLUMNS = (
        "id",
        "email",
        "name",
        "password_hash",
        "role",
        "region_code",
        "school_id",
        "enterprise_id",
        "membership_role",
        "active",
        "session_token",
        "privacy_version",
        "privacy_accepted_at",
        "created_at",
        "updated_at",
    )

    def _admins(self) -> None:
        uid = self.w.next_id("user_account")
        self.admin_id = uid
        name = "自治区人社厅管理员（测试数据）"
        rows = [self._user_row(uid, REGION_ADMIN_EMAIL, name, "region_admin")]
        for lg in data.LEAGUES:
            uid += 1
            rows.append(
                self._user_row(
                    uid,
                    LEAGUE_ADMIN_EMAIL.format(code=lg.code),
                    f"{self.region_names[lg.code]}人社局管理员（测试数据）",
                    "league_admin",
                    region_code=lg.code,
                )
            )
        self.next_user = uid + 1
        self.w.write("user_account", self.USER_COLUMNS, rows)

    def _review(self, status: str) -> tuple:
        """review_reason, reviewed_at, reviewed_by_id for a status."""
        if status == "pending":
            return None, None, None
        reason = data.REJECT_REASONS[0] if status == "rejected" else None
        return reason, self.now, self.admin_id

    def _schools(self) -> None:
        sc = self.scale
        counts = _allocate(sc.schools, {lg.code: lg.weight for lg in data.LEAGUES}, 1)
        self.schools: list[_Org] = []
        sid = self.w.next_id("school")
        first_id = sid
        rows = []
        for lg in data.LEAGUES:
            for _ in range(counts[lg.code]):
                kind = self.pick(data.SCHOOL_KIND_WEIGHTS)
                status = "approved" if sid == first_id else self.pick(SCHOOL_STATUS)
                label = data.SCHOOL_KIND_LABELS[kind]

                def make(lg=lg, kind=kind, label=label) -> str:
                    place = self.rng.choice(lg.counties + lg.districts + (lg.short,) * 3)
                    flavour = self.rng.choice(data.SCHOOL_FLAVOURS[kind])
                    return f"{place}{flavour}{label}"

                name = self.unique(make)
                reason, reviewed_at, reviewer = self._review(status)
                rows.append(
                    (
                        sid,
                        name,
                        kind,
                        self.credit_code("12", lg.code),
                        self.address(lg),
                        self.person(),
                        self.landline(lg),
                        f"{name}。{NOTE}",
                        status,
                        reason,
                        reviewed_at,
                        reviewer,
                        True,
                        False,
                        lg.code,
                        self.now,
                        self.now,
                    )
                )
                self.schools.append(_Org(sid, lg.code, status, kind=kind))
                sid += 1
        columns = (
            "id",
            "name",
            "kind",
            "uscc",
            "address",
            "contact_name",
            "contact_phone",
            "description",
            "status",
            "review_reason",
            "reviewed_at",
            "reviewed_by_id",
            "uscc_check_ok",
            "uscc_confirmed",
            "region_code",
            "created_at",
            "updated_at",
        )
        self.w.write("school", columns, rows)
        self.schools_by_league: dict[str, list[_Org]] = defaultdict(list)
        for s in self.schools:
            if s.status == "approved":
                self.schools_by_league[s.league].append(s)

    def _enterprises(self) -> None:
        sc = self.scale
        boost = {"150100": 1.3, "150200": 1.4, "150600": 1.6, "150300": 1.3}
        weights = {lg.code: lg.weight * boost.get(lg.code, 1.0) for lg in data.LEAGUES}
        counts = _allocate(sc.enterprises, weights, 1)
        self.enterprises: list[_Org] = []
        self.sizes: list[str] = []
        eid = self.w.next_id("enterprise")
        first_id = eid
        trades = {t.key: t for t in data.TRADES if t.section in self.sections}

        def rows() -> Iterator[tuple]:
            nonlocal eid
            for lg in data.LEAGUES:
                brands = data.BRANDS + data.LOCAL_BRANDS.get(lg.code, ()) * 6
                tw = {k: t.weight * (4 if k in lg.trades else 1) for k, t in trades.items()}
                region = self.region_names[lg.code]
                places = ("",) * 4 + lg.districts + lg.counties
                for _ in range(counts[lg.code]):
                    trade = trades[self.pick(tw)]
                    suffix = self.pick(data.COMPANY_SUFFIXES)
                    word = self.rng.choice(trade.words)
                    head = f"{region}{{}}{{}}{word}{suffix}"
                    name = self.unique(
                        lambda head=head, brands=brands, places=places: head.format(
                            self.rng.choice(places), self.rng.choice(brands)
                        )
                    )
                    first = eid == first_id
                    size = (
                        "large"
                        if first
                        else data.SIZE_BANDS_BY_SUFFIX.get(suffix) or self.pick(SIZE_WEIGHTS)
                    )
                    status = "approved" if first else self.pick(ENTERPRISE_STATUS)
                    reason, reviewed_at, reviewer = self._review(status)
                    self.enterprises.append(_Org(eid, lg.code, status, trade=trade))
                    self.sizes.append(size)
                    yield (
                        eid,
                        name,
                        self.credit_code("91", lg.code),
                        trade.section,
                        self.address(lg),
                        self.person(),
                        self.mobile(),
                        size,
                        f"主营{word}，愿与技工院校共建车间班组、培训工作站和技能大师工作室。{NOTE}",
                        status,
                        reason,
                        reviewed_at,
                        reviewer,
                        True,
                        False,
                        lg.code,
                        self.now,
                        self.now,
                    )
                    eid += 1

        columns = (
            "id",
            "name",
            "uscc",
            "industry_section",
            "address",
            "contact_name",
            "contact_phone",
            "size_band",
            "description",
            "status",
            "review_reason",
            "reviewed_at",
            "reviewed_by_id",
            "uscc_check_ok",
            "uscc_confirmed",
            "region_code",
            "created_at",
            "updated_at",
        )
        self.w.write("enterprise", columns, rows())
        self.names.clear()

    def _org_accounts(self) -> None:
        """One owner account per school and per enterprise."""

        def rows() -> Iterator[tuple]:
            uid = self.next_user
            for n, school in enumerate(self.schools, start=1):
                school.owner = uid
                yield self._user_row(
                    uid,
                    SCHOOL_EMAIL.format(n=n),
                    self.person(),
                    "school",
                    school_id=school.id,
                    membership_role="owner",
                )
                uid += 1
            for n, ent in enumerate(self.enterprises, start=1):
                ent.owner = uid
                yield self._user_row(
                    uid,
                    ENTERPRISE_EMAIL.format(n=n),
                    self.person(),
                    "enterprise",
                    enterprise_id=ent.id,
                    membership_role="owner",
                )
                uid += 1
            self.next_user = uid

        self.w.write("user_account", self.USER_COLUMNS, rows())

    def _hosts(self) -> None:
        sc = self.scale
        ents = self.enterprises
        extra = max(0, sc.hosts - len(ents))
        per = [1] * len(ents)
        weights = [SIZE_EXTRA_HOSTS[s] for s in self.sizes]
        for i in self.rng.choices(range(len(ents)), weights=weights, k=extra):
            per[i] += 1
        self.hosts: list[_Host] = []
        hid = self.w.next_id("host")
        links: list[tuple[int, str]] = []

        def rows() -> Iterator[tuple]:
            nonlocal hid
            for ent, n in zip(ents, per, strict=True):
                trade = ent.trade
                assert trade is not None
                codes_pool = self.trade_codes[trade.key]
                kinds = ["workshop"] + self.picks(HOST_KIND_WEIGHTS, n - 1)
                stations = 0
                for kind in kinds:
                    codes = tuple(
                        sorted(
                            self.rng.sample(
                                codes_pool, min(len(codes_pool), self.rng.choice((1, 1, 2, 2, 3)))
                            )
                        )
                    )
                    teacher_capacity = equipment = partner = master = honour = level = None
                    if kind == "workshop":
                        name = self.rng.choice(trade.workshops)
                        teacher_capacity = self.rng.choice((0, 1, 1, 2, 2, 3))
                        equipment = "、".join(
                            f"{item} {self.rng.randint(1, 12)} 台（套）"
                            for item in self.rng.sample(
                                trade.equipment, min(2, len(trade.equipment))
                            )
                        )
                        description = f"{name}，可承接真实生产项目教学。"
                    elif kind == "training_station":
                        stations += 1
                        name = "企业培训工作站" if stations == 1 else f"第{stations}企业培训工作站"
                        partners = self.schools_by_league.get(ent.league)
                        if partners and self.rng.random() < 0.75:
                            partner = self.rng.choice(partners).id
                        description = "面向技工院校学生和教师的企业培训工作站。"
                    else:
                        master = self.person()
                        level, honour = self.rng.choice(data.STUDIO_HONOURS)
                        name = f"{master}技能大师工作室"
                        description = f"由{honour}{master}领办。"
                    self.hosts.append(_Host(hid, ent.id, ent.league, kind, name, codes))
                    links.extend((hid, c) for c in codes)
                    yield (
                        hid,
                        ent.id,
                        kind,
                        name,
                        ent.league,
                        self.rng.choices(range(9), weights=(1, 2, 4, 5, 5, 4, 3, 2, 2))[0],
                        description,
                        teacher_capacity,
                        equipment,
                        partner,
                        master,
                        honour,
                        level,
                        self.now,
                        self.now,
                    )
                    hid += 1

        columns = (
            "id",
            "enterprise_id",
            "kind",
            "name",
            "region_code",
            "capacity",
            "description",
            "teacher_capacity",
            "equipment",
            "partner_school_id",
            "master_name",
            "honour",
            "level",
            "created_at",
            "updated_at",
        )
        self.w.write("host", columns, rows())
        self.w.write("host_occupation", ("host_id", "occupation_code"), links)
        # teachers' occupations follow what hosts offer, so that choices can fit
        self.occupation_pool = [c for _h, c in links]

    def _school_majors(self) -> None:
        smid = self.w.next_id("school_major")

        def rows() -> Iterator[tuple]:
            nonlocal smid
            for school in self.schools:
                n = 3 if school.kind == "technician_college" else 2
                for major_id, _code in self.rng.sample(self.majors, min(n, len(self.majors))):
                    yield (
                        smid,
                        school.id,
                        major_id,
                        self.rng.choice(LEVELS),
                        self.rng.choice(range(30, 125, 5)),
                        True,
                        self.now,
                        self.now,
                    )
                    smid += 1

        columns = (
            "id",
            "school_id",
            "major_id",
            "level",
            "cohort_size",
            "active",
            "created_at",
            "updated_at",
        )
        self.w.write("school_major", columns, rows())

    def _teachers(self) -> None:
        """Teacher accounts and their confirmed profiles at approved schools."""
        sc = self.scale
        approved = [s for s in self.schools if s.status == "approved"]
        counts = _allocate(
            sc.teachers, {str(i): SCHOOL_TEACHERS[s.kind] for i, s in enumerate(approved)}, 1
        )
        # (teacher id, user id, school, name, confirmed, occupation codes)
        self.teachers: list[tuple[int, int, _Org, bool, tuple[str, ...]]] = []
        tid = self.w.next_id("teacher")
        uid = self.next_user
        people: list[tuple[int, int, _Org, str, bool, tuple[str, ...]]] = []
        pool = self.occupation_pool
        for i, school in enumerate(approved):
            for _ in range(counts[str(i)]):
                confirmed = not people or self.rng.random() < CONFIRMED_SHARE
                first = pool[self.rng.randrange(len(pool))]
                codes = (first,)
                if self.rng.random() < 0.35:
                    second = pool[self.rng.randrange(len(pool))]
                    if second != first:
                        codes = tuple(sorted((first, second)))
                people.append((tid, uid, school, self.person(), confirmed, codes))
                tid += 1
                uid += 1
        self.next_user = uid
        self.w.write(
            "user_account",
            self.USER_COLUMNS,
            (
                self._user_row(u, TEACHER_EMAIL.format(n=n), name, "teacher", school_id=school.id)
                for n, (_t, u, school, name, _c, _o) in enumerate(people, start=1)
            ),
        )
        self.w.write(
            "teacher",
            (
                "id",
                "user_id",
                "school_id",
                "name",
                "title",
                "confirmed_at",
                "confirmed_by_id",
                "created_at",
                "updated_at",
            ),
            (
                (
                    t,
                    u,
                    school.id,
                    name,
                    self.rng.choice(TITLES),
                    self.now if confirmed else None,
                    school.owner if confirmed else None,
                    self.now,
                    self.now,
                )
                for t, u, school, name, confirmed, _o in people
            ),
        )
        self.w.write(
            "teacher_occupation",
            ("teacher_id", "occupation_code"),
            ((t, c) for t, _u, _s, _n, _c, codes in people for c in codes),
        )
        self.teachers = [(t, u, s, c, o) for t, u, s, _n, c, o in people]

    def _postable_hosts(self) -> list[_Host]:
        approved = {e.id for e in self.enterprises if e.status == "approved"}
        return [h for h in self.hosts if h.enterprise in approved]

    def _placements(self) -> None:
        hosts = self._postable_hosts()
        first_ent = self.enterprises[0].id
        showcase = [h for h in hosts if h.enterprise == first_ent]
        kind_weight = {"workshop": 3, "master_studio": 2, "training_station": 1}
        weights = [kind_weight[h.kind] for h in hosts]
        n = self.scale.placements
        chosen = showcase[: min(3, n)]
        chosen += self.rng.choices(hosts, weights=weights, k=n - len(chosen))
        pid = self.w.next_id("placement")
        self.open_placements: list[tuple[int, str, tuple[str, ...]]] = []
        links: list[tuple[int, str]] = []

        def rows() -> Iterator[tuple]:
            nonlocal pid
            for i, host in enumerate(chosen):
                status = "open" if i < len(showcase[:3]) else self.pick(PLACEMENT_STATUS)
                starts, ends = self.period((14, 90), (60, 180))
                if status == "open":
                    self.open_placements.append((pid, host.league, host.codes))
                links.extend((pid, c) for c in host.codes)
                yield (
                    pid,
                    host.id,
                    status,
                    f"{host.name}教师企业实践",
                    self.rng.choices((1, 2, 3, 4), weights=(4, 4, 2, 1))[0],
                    0,
                    self.rng.choice(
                        (
                            "具有相关专业教学经历，服从车间安全管理。",
                            "熟悉本职业基本操作，能参与班组生产任务。",
                            "每周在岗不少于4天，实践结束提交实践报告。",
                        )
                    ),
                    starts,
                    ends,
                    self.now,
                    self.now,
                )
                pid += 1

        columns = (
            "id",
            "host_id",
            "status",
            "title",
            "seats",
            "seats_taken",
            "requirements",
            "starts_on",
            "ends_on",
            "created_at",
            "updated_at",
        )
        self.w.write("placement", columns, rows())
        self.w.write("placement_occupation", ("placement_id", "occupation_code"), links)

    def _offers(self) -> None:
        hosts = self._postable_hosts()
        chosen = self.rng.sample(hosts, min(self.scale.offers, len(hosts)))
        chosen.sort(key=lambda h: h.id)
        oid = self.w.next_id("offer")
        links: list[tuple[int, str]] = []

        def rows() -> Iterator[tuple]:
            nonlocal oid
            for host in chosen:
                starts, ends = self.period((7, 120), (180, 720))
                links.extend((oid, c) for c in host.codes)
                yield (
                    oid,
                    host.id,
                    self.pick(OFFER_STATUS),
                    self.rng.choice(MODES),
                    self.rng.choices((1, 2, 3), weights=(5, 3, 1))[0],
                    0,
                    "共建生产性实训车间，承接真实生产项目教学。",
                    starts,
                    ends,
                    self.now,
                    self.now,
                )
                oid += 1

        columns = (
            "id",
            "host_id",
            "status",
            "mode",
            "slots",
            "slots_taken",
            "description",
            "starts_on",
            "ends_on",
            "created_at",
            "updated_at",
        )
        self.w.write("offer", columns, rows())
        self.w.write("offer_occupation", ("offer_id", "occupation_code"), links)

    def _choices_for(self, league: str, codes: tuple[str, ...], k: int) -> list[int]:
        """k distinct open placements: same league and occupation first, then the occupation
        anywhere, then the league, then any."""
        pools = [self.by_league_code.get((league, c)) for c in codes]
        pools += [self.by_code.get(c) for c in codes]
        pools += [self.by_league.get(league), self.all_open]
        picks: list[int] = []
        for pool in pools:
            if not pool:
                continue
            for _ in range(2 * k):
                p = pool[self.rng.randrange(len(pool))]
                if p not in picks:
                    picks.append(p)
                    if len(picks) == k:
                        return picks
        return picks

    def _applications(self) -> None:
        self.by_league_code: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.by_code: dict[str, list[int]] = defaultdict(list)
        self.by_league: dict[str, list[int]] = defaultdict(list)
        self.all_open = [p for p, _l, _c in self.open_placements]
        for pid, league, codes in self.open_placements:
            self.by_league[league].append(pid)
            for c in codes:
                self.by_code[c].append(pid)
                self.by_league_code[(league, c)].append(pid)
        confirmed = [t for t in self.teachers if t[3]]
        n = min(self.scale.applications, len(confirmed))
        applicants = [confirmed[0], *self.rng.sample(confirmed[1:], n - 1)] if n else []
        applicants.sort(key=lambda t: t[0])
        aid = self.w.next_id("application")
        first_aid = aid
        cid = self.w.next_id("application_choice")
        k = min(self.scale.choices, len(self.all_open))
        choices: list[tuple[int, int, int, int]] = []
        showcase_placement = self.all_open[0] if self.all_open else None

        def rows() -> Iterator[tuple]:
            nonlocal aid, cid
            for tid, _uid, school, _c, codes in applicants:
                picks = self._choices_for(school.league, codes, k)
                if aid == first_aid and showcase_placement is not None:
                    picks = [showcase_placement, *(p for p in picks if p != showcase_placement)]
                    picks = picks[:k]
                for rank, p in enumerate(picks, start=1):
                    choices.append((cid, aid, p, rank))
                    cid += 1
                starts, ends = self.period((14, 60), (30, 180))
                yield (
                    aid,
                    tid,
                    "endorsed",
                    None,
                    self.now,
                    school.owner,
                    starts,
                    ends,
                    self.now,
                    self.now,
                )
                aid += 1

        columns = (
            "id",
            "teacher_id",
            "status",
            "note",
            "endorsed_at",
            "endorsed_by_id",
            "starts_on",
            "ends_on",
            "created_at",
            "updated_at",
        )
        self.w.write("application", columns, rows())
        self.w.write(
            "application_choice", ("id", "application_id", "placement_id", "rank"), choices
        )


def describe(result: GenerateResult) -> list[str]:
    """Lines for the terminal: what was created (or that nothing was) and the logins."""
    lines = []
    if result.created:
        summary = ", ".join(f"{k} {v}" for k, v in result.counts.items())
        lines.append(f"{result.scale} world created: {summary} ({result.total_seconds:.1f}s)")
    else:
        lines.append(f"{result.scale} world already present: nothing added")
    lines.append(f"logins (password {PASSWORD}):")
    lines += [f"  {role:<13} {email}" for role, email in result.logins]
    return lines

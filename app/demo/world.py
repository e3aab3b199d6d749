"""Building the demo world: invented schools, enterprises, hosts and accounts in every league."""

import random
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.auth.models import User
from app.auth.services import check_password_rules, hash_password
from app.common import audit
from app.common.time import utcnow
from app.common.validators import LANDLINE_RE, MOBILE_RE
from app.demo import data
from app.demo.cooperation import seed_cooperation
from app.extensions import db
from app.reference.models import Occupation, Region
from app.reference.services import load_reference
from app.registry import uscc as uscc_mod
from app.registry.models import HOST_CLASSES, Enterprise, Host, School

SEED = 20250701
SCHOOL_COUNT = 34
ENTERPRISE_COUNT = 150
TEACHER_COUNT = 300
SHOWCASE_ENTERPRISE = "呼和浩特市青城智能装备有限公司"
SHOWCASE_SCHOOL = "呼和浩特机电技师学院"
#: Economic weight on top of population for where enterprises sit.
ENTERPRISE_BOOST = {"150100": 1.3, "150200": 1.4, "150600": 1.6, "150300": 1.3}
FICTION_NOTE = "演示数据：名称、代码与联系方式均为虚构，并非官方记录。"
HOST_KIND_WEIGHTS = {"workshop": 45, "training_station": 33, "master_studio": 22}
CAPACITY_WEIGHTS = (1, 2, 4, 5, 5, 4, 3, 2, 2)  # capacities 0..8
SIZE_HOSTS = {"micro": (1, 2), "small": (2, 3), "medium": (2, 4), "large": (3, 6)}


@dataclass
class SeedResult:
    """What a seed run did."""

    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    per_league: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped_emails: list[str] = field(default_factory=list)


def demo_present() -> bool:
    """True when a demo world exists already (its region admin or its showcase enterprise)."""
    marker = db.session.scalar(
        select(User.id).where(func.lower(User.email) == data.REGION_ADMIN_EMAIL)
    )
    if marker is not None:
        return True
    return (
        db.session.scalar(select(Enterprise.id).where(Enterprise.name == SHOWCASE_ENTERPRISE))
        is not None
    )


def allocate(total: int, weights: dict[str, float], minimum: int) -> dict[str, int]:
    """Split total over the keys by weight (largest remainder), each at least minimum."""
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


class Generator:
    """Deterministic source of names, codes and numbers for one seed run."""

    def __init__(self, seed: int, taken_codes: set[str]) -> None:
        self.rng = random.Random(seed)
        self.codes = set(taken_codes)
        self.names: set[str] = set()
        self.people: set[str] = set()

    def weighted(self, options: dict):
        """One key of options, chosen with the values as weights."""
        keys = list(options)
        return self.rng.choices(keys, weights=[options[k] for k in keys])[0]

    def person(self) -> str:
        """A person's name, Han or Mongolian, unique within the run when possible."""
        for _ in range(20):
            if self.rng.random() < 0.15:
                name = self.rng.choice(data.MONGOLIAN_NAMES)
                if self.rng.random() < 0.4:
                    name = self.rng.choice(("包", "宝", "白", "韩", "鲍")) + name
            else:
                given = "".join(self.rng.choices(data.GIVEN_CHARS, k=self.rng.choice((1, 2, 2))))
                name = self.rng.choice(data.SURNAMES) + given
            if name not in self.people:
                break
        self.people.add(name)
        return name

    def mobile(self) -> str:
        """A mainland mobile number."""
        number = self.rng.choice(data.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
        assert MOBILE_RE.match(number), number
        return number

    def landline(self, league: data.League) -> str:
        """A landline in the league's area code, e.g. 0471-6612345."""
        number = f"{league.area_code}-{self.rng.choice('3456789')}{self.rng.randrange(10**6):06d}"
        assert LANDLINE_RE.match(number), number
        return number

    def address(
        self, region: Region, league: data.League, county: bool = False, place: str = ""
    ) -> str:
        """A street address in the league (in place when given)."""
        if not place:
            places = league.counties if county and league.counties else league.districts
            place = self.rng.choice(places)
        return f"{region.name}{place}{self.rng.choice(data.ROADS)}{self.rng.randint(1, 299)}号"

    def credit_code(self, authority: str, division: str, check_ok: bool = True) -> str:
        """A fresh credit code in the division; a wrong check character when not check_ok."""
        while True:
            if authority == "91" and self.rng.random() < 0.55:
                body = "MA" + "".join(self.rng.choices(uscc_mod.CHARS, k=7))
            else:
                body = "".join(self.rng.choices("0123456789", k=9))
            first17 = authority + division + body
            right = uscc_mod.check_character(first17)
            last = right if check_ok else self.rng.choice(uscc_mod.CHARS.replace(right, ""))
            code = first17 + last
            if code not in self.codes:
                self.codes.add(code)
                result = uscc_mod.check(code)
                assert result.well_formed and result.check_ok == check_ok, code
                return code

    def unique_name(self, make) -> str:
        """Call make() until it gives a name not used before in this run."""
        for _ in range(200):
            name = make()
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("ran out of demo names")  # pragma: no cover

    def capacity(self) -> int:
        """A host capacity between 0 and 8, mostly 2 to 6."""
        return self.rng.choices(range(9), weights=CAPACITY_WEIGHTS)[0]


def _school_kinds(gen: Generator, league: data.League, n: int) -> list[str]:
    """School kinds for a league: bigger leagues lead with a technician college."""
    kinds = []
    for i in range(n):
        if i == 0:
            kind = "technician_college" if league.weight >= 100 else "technical_school"
            if league.weight < 100 and league.weight >= 50:
                kind = "senior_technical_school"
        else:
            kind = gen.weighted(data.SCHOOL_KIND_WEIGHTS)
        kinds.append(kind)
    return kinds


def _school_name(gen: Generator, league: data.League, kind: str) -> str:
    """An invented school name such as 包头冶金技师学院 or 准格尔旗技工学校."""

    def make() -> str:
        label = data.SCHOOL_KIND_LABELS[kind]
        if kind == "technical_school" and league.counties and gen.rng.random() < 0.6:
            return f"{gen.rng.choice(league.counties)}{label}"
        return f"{league.short}{gen.rng.choice(data.SCHOOL_FLAVOURS[kind])}{label}"

    return gen.unique_name(make)


def _county_in(league: data.League, name: str) -> str:
    """The league's county a school is named after, or an empty string."""
    return next((c for c in league.counties if name.startswith(c)), "")


def _build_schools(gen: Generator, regions: dict[str, Region]) -> list[School]:
    """Schools in every league, the showcase technician college first."""
    weights = {lg.code: lg.weight for lg in data.LEAGUES}
    counts = allocate(SCHOOL_COUNT, weights, minimum=1)
    schools = []
    gen.names.add(SHOWCASE_SCHOOL)
    for league in data.LEAGUES:
        region = regions[league.code]
        kinds = _school_kinds(gen, league, counts[league.code])
        for i, kind in enumerate(kinds):
            showcase = league.code == data.HOHHOT and i == 0
            name = SHOWCASE_SCHOOL if showcase else _school_name(gen, league, kind)
            schools.append(
                School(
                    name=name,
                    kind=kind,
                    region_code=league.code,
                    uscc=gen.credit_code("12", league.code),
                    address=gen.address(region, league, place=_county_in(league, name)),
                    contact_name=gen.person(),
                    contact_phone=gen.landline(league),
                    description=f"{name}（{region.name}），{FICTION_NOTE}",
                    status="approved",
                )
            )
    return schools


def _trade_for(gen: Generator, league: data.League) -> data.Trade:
    """A trade, biased toward the league's own lines of business."""
    weights = {t.key: t.weight * (4 if t.key in league.trades else 1) for t in data.TRADES}
    return data.TRADE_BY_KEY[gen.weighted(weights)]


def _enterprise(
    gen: Generator, league: data.League, region: Region, trade: data.Trade, name: str | None = None
) -> Enterprise:
    """One enterprise of the trade in the league."""
    suffix = gen.weighted(data.COMPANY_SUFFIXES)
    word = gen.rng.choice(trade.words)
    brands = data.BRANDS + data.LOCAL_BRANDS.get(league.code, ()) * 6
    if name is None:
        name = gen.unique_name(lambda: f"{region.name}{gen.rng.choice(brands)}{word}{suffix}")
    size = data.SIZE_BANDS_BY_SUFFIX.get(suffix) or gen.weighted(
        {"micro": 15, "small": 38, "medium": 35, "large": 12}
    )
    return Enterprise(
        name=name,
        uscc=gen.credit_code("91", league.code),
        industry_section=trade.section,
        region_code=league.code,
        address=gen.address(region, league, county=gen.rng.random() < 0.4),
        contact_name=gen.person(),
        contact_phone=gen.mobile(),
        size_band=size,
        description=f"主营{word}，愿与技工院校共建车间班组、培训工作站和技能大师工作室。{FICTION_NOTE}",
        status="approved",
    )


def _hosts(
    gen: Generator,
    enterprise: Enterprise,
    trade: data.Trade,
    partners: list[School],
    occupations: dict[str, Occupation],
    kinds: list[str] | None = None,
) -> list[Host]:
    """The enterprise's hosts: a workshop first, then stations and studios."""
    if kinds is None:
        low, high = SIZE_HOSTS[enterprise.size_band or "small"]
        n = gen.rng.randint(low, high)
        kinds = ["workshop"] + [gen.weighted(HOST_KIND_WEIGHTS) for _ in range(n - 1)]
    brand = enterprise.name.removeprefix(enterprise.region.name if enterprise.region else "")
    brand = brand.split("有限")[0].split("股份")[0].split("集团")[0]
    workshop_names = gen.rng.sample(trade.workshops, k=len(trade.workshops))
    stations = 0
    hosts: list[Host] = []
    for kind in kinds:
        codes = gen.rng.sample(
            trade.occupations, k=min(len(trade.occupations), gen.rng.choice((1, 1, 2, 2, 3)))
        )
        host = HOST_CLASSES[kind](
            kind=kind,
            region_code=enterprise.region_code,
            capacity=gen.capacity(),
            occupations=[occupations[c] for c in sorted(codes)],
        )
        if kind == "workshop":
            host.name = workshop_names.pop(0) if workshop_names else f"生产班组{len(hosts) + 1}"
            host.teacher_capacity = gen.rng.choice((0, 1, 1, 2, 2, 3))
            items = gen.rng.sample(trade.equipment, k=min(len(trade.equipment), 3))
            host.equipment = "、".join(
                f"{item} {gen.rng.randint(1, 12)} 台（套）" for item in items
            )
            host.description = f"{enterprise.name}的{host.name}，可承接真实生产项目教学。"
        elif kind == "training_station":
            stations += 1
            number = "" if stations == 1 else f"第{'一二三四五六'[stations - 1]}"
            host.name = f"{brand}{number}企业培训工作站"
            if partners and gen.rng.random() < 0.75:
                host.partner_school = gen.rng.choice(partners)
            host.description = "面向技工院校学生和教师的企业培训工作站。"
        else:
            master = gen.person()
            level, honour = gen.rng.choice(data.STUDIO_HONOURS)
            host.name = f"{master}技能大师工作室"
            host.master_name = master
            host.honour = honour
            host.level = level
            names = "、".join(occupations[c].name for c in sorted(codes))
            host.description = f"由{honour}{master}领办，专长：{names}。"
        hosts.append(host)
    return hosts


def _build_enterprises(
    gen: Generator,
    regions: dict[str, Region],
    schools: list[School],
    occupations: dict[str, Occupation],
) -> tuple[list[Enterprise], Enterprise]:
    """Enterprises with hosts in every league; returns them and the showcase enterprise."""
    weights = {lg.code: lg.weight * ENTERPRISE_BOOST.get(lg.code, 1.0) for lg in data.LEAGUES}
    counts = allocate(ENTERPRISE_COUNT, weights, minimum=3)
    gen.names.add(SHOWCASE_ENTERPRISE)
    enterprises: list[Enterprise] = []
    showcase: Enterprise | None = None
    for league in data.LEAGUES:
        region = regions[league.code]
        partners = [s for s in schools if s.region_code == league.code] or schools
        for i in range(counts[league.code]):
            if league.code == data.HOHHOT and i == 0:
                trade = data.TRADE_BY_KEY["electronics"]
                ent = _enterprise(gen, league, region, trade, name=SHOWCASE_ENTERPRISE)
                ent.size_band = "large"
                ent.region = region
                kinds = ["workshop", "workshop", "training_station", "master_studio"]
                ent.hosts = _hosts(gen, ent, trade, partners[:1], occupations, kinds)
                showcase = ent
            else:
                trade = _trade_for(gen, league)
                ent = _enterprise(gen, league, region, trade)
                ent.region = region
                ent.hosts = _hosts(gen, ent, trade, partners, occupations)
            enterprises.append(ent)
    assert showcase is not None
    return enterprises, showcase


def _review_states(
    gen: Generator, enterprises: list[Enterprise], schools: list[School], reviewer: User
) -> None:
    """Most profiles approved; a few pending (some with a bad check character), a few rejected."""
    now = utcnow()
    by_league: dict[str, list[Enterprise]] = {}
    for ent in enterprises:
        by_league.setdefault(ent.region_code, []).append(ent)
    # Pending with a check-character mismatch: the reviewer sees the warning (one in Hohhot).
    for code, index in (("150100", 1), ("150200", 1), ("150600", 1)):
        ent = by_league[code][index]
        ent.status = "pending"
        ent.uscc_check_ok = False
        gen.codes.discard(ent.uscc)
        ent.uscc = gen.credit_code("91", code, check_ok=False)
    for code, index in (("150400", 2), ("150500", 2)):
        by_league[code][index].status = "pending"
    for (code, index), reason in zip(
        (("150200", 2), ("150400", 3)), data.REJECT_REASONS[:2], strict=True
    ):
        ent = by_league[code][index]
        ent.status = "rejected"
        ent.review_reason = reason
        ent.reviewed_at = now
        ent.reviewed_by_id = reviewer.id
    school_by_league: dict[str, list[School]] = {}
    for school in schools:
        school_by_league.setdefault(school.region_code, []).append(school)
    big = [code for code, rows in school_by_league.items() if len(rows) >= 3]
    chosen = [school_by_league[code][-1] for code in sorted(big)[:3]]
    chosen[0].status = "pending"
    chosen[1].status = "pending"
    chosen[2].status = "rejected"
    chosen[2].review_reason = data.REJECT_REASONS[2]
    chosen[2].reviewed_at = now
    chosen[2].reviewed_by_id = reviewer.id
    for org in [*enterprises, *schools]:
        if org.status == "approved":
            org.reviewed_at = now
            org.reviewed_by_id = reviewer.id


def _teachers(gen: Generator, schools: list[School], password_hash: str) -> list[User]:
    """TEACHER_COUNT teacher accounts spread over approved schools, bigger ones getting more."""
    size = {"technician_college": 14, "senior_technical_school": 9, "technical_school": 6}
    approved = [s for s in schools if s.status == "approved"]
    counts = allocate(
        TEACHER_COUNT, {str(i): size[s.kind] for i, s in enumerate(approved)}, minimum=3
    )
    teachers = []
    n = 0
    for i, school in enumerate(approved):
        for _ in range(counts[str(i)]):
            n += 1
            teachers.append(
                User(
                    email=data.TEACHERS_EMAIL.format(n=n),
                    name=gen.person(),
                    role="teacher",
                    password_hash=password_hash,
                    school=school,
                )
            )
    return teachers


def seed(seed_value: int = SEED) -> SeedResult:
    """Create the demo world unless present; flushes, the caller commits."""
    if demo_present():
        return SeedResult(created=False)
    check_password_rules(data.DEMO_PASSWORD)
    load_reference()
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    missing = [lg.code for lg in data.LEAGUES if lg.code not in regions]
    if missing:
        raise RuntimeError(f"reference data lacks leagues {missing}: run `flask reference load`")
    occupations = {o.code: o for o in db.session.scalars(select(Occupation))}
    taken = set(db.session.scalars(select(Enterprise.uscc)))
    taken |= {c for c in db.session.scalars(select(School.uscc)) if c}
    gen = Generator(seed_value, taken)
    password_hash = hash_password(data.DEMO_PASSWORD)

    region_admin = User(
        email=data.REGION_ADMIN_EMAIL,
        name="自治区人社厅管理员（演示）",
        role="region_admin",
        password_hash=password_hash,
    )
    league_admins = [
        User(
            email=data.LEAGUE_ADMIN_EMAIL.format(code=lg.code),
            name=f"{regions[lg.code].name}人社局管理员（演示）",
            role="league_admin",
            region_code=lg.code,
            password_hash=password_hash,
        )
        for lg in data.LEAGUES
    ]
    db.session.add(region_admin)
    db.session.flush()

    schools = _build_schools(gen, regions)
    enterprises, showcase = _build_enterprises(gen, regions, schools, occupations)
    _review_states(gen, enterprises, schools, region_admin)
    showcase_school = next(s for s in schools if s.name == SHOWCASE_SCHOOL)
    assert showcase.status == "approved" and showcase_school.status == "approved"
    owners = [
        User(
            email=data.ENTERPRISE_EMAIL,
            name=showcase.contact_name,
            role="enterprise",
            password_hash=password_hash,
            enterprise=showcase,
            membership_role="owner",
        ),
        User(
            email=data.SCHOOL_EMAIL,
            name=showcase_school.contact_name,
            role="school",
            password_hash=password_hash,
            school=showcase_school,
            membership_role="owner",
        ),
        User(
            email=data.TEACHER_EMAIL,
            name=gen.person(),
            role="teacher",
            password_hash=password_hash,
            school=showcase_school,
        ),
    ]
    teachers = _teachers(gen, schools, password_hash)
    accounts = [*league_admins, *owners, *teachers]
    emails = [u.email for u in accounts]
    existing = set(db.session.scalars(select(func.lower(User.email)).where(User.email.in_(emails))))
    skipped = sorted(existing)
    accounts = [u for u in accounts if u.email not in existing]

    db.session.add_all(schools)
    db.session.add_all(enterprises)
    db.session.add_all(accounts)
    db.session.flush()

    hosts = [h for e in enterprises for h in e.hosts]
    counts = {
        "schools": len(schools),
        "enterprises": len(enterprises),
        "hosts": len(hosts),
        "teachers": sum(u.role == "teacher" for u in accounts),
        "accounts": len(accounts) + 1,
    }
    coop = seed_cooperation()
    counts.update(coop.counts)
    audit.record(None, "demo.seed", region_admin, after=counts, note=f"seed {seed_value}")
    return SeedResult(
        created=True,
        counts=counts,
        per_league=_per_league(schools, enterprises, hosts, accounts),
        skipped_emails=skipped,
    )


def _per_league(
    schools: list[School], enterprises: list[Enterprise], hosts: list[Host], accounts: list[User]
) -> dict[str, dict[str, int]]:
    """Counts of schools, enterprises, hosts and teachers per league code."""
    school_region = {id(s): s.region_code for s in schools}
    tally: dict[str, Counter] = {lg.code: Counter() for lg in data.LEAGUES}
    for s in schools:
        tally[s.region_code]["schools"] += 1
    for e in enterprises:
        tally[e.region_code]["enterprises"] += 1
    for h in hosts:
        tally[h.region_code]["hosts"] += 1
    for u in accounts:
        if u.role == "teacher" and u.school is not None:
            tally[school_region[id(u.school)]]["teachers"] += 1
    return {code: dict(c) for code, c in tally.items()}

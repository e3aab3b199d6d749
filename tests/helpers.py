"""Test helpers: records, accounts and logging in (in the manner of CTFd's tests/helpers.py)."""

import itertools
from dataclasses import dataclass, field

from sqlalchemy import delete

from app.extensions import db

PASSWORD = "Str0ng-Passw0rd!"
HOHHOT = "150100"
BAOTOU = "150200"
ORDOS = "150600"
VALID_USCC = [
    "91350200776049653A",
    "91350500798359476R",
    "91350503MA31DKY80A",
    "91350200MA31E12PXF",
    "91440101MA5CJQ4N59",
    "913502000728319549",
    "91350503MA31DNG762",
    "913502115628130384",
]
_counter = itertools.count(1)
_reference_cache: dict = {}


def reset_database() -> None:
    """Delete every row, then reload the reference data (cached after the first load)."""
    from app.reference.models import Industry, Major, Occupation, Region
    from app.reference.services import load_reference

    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()
    if not _reference_cache:
        load_reference()
        db.session.commit()
        for model in (Region, Industry, Occupation, Major):
            rows = db.session.scalars(db.select(model)).all()
            cols = [c.key for c in model.__table__.columns]
            _reference_cache[model] = [{c: getattr(r, c) for c in cols} for r in rows]
        return
    for model in (Region, Industry, Occupation, Major):
        db.session.execute(model.__table__.insert(), _reference_cache[model])
    db.session.commit()


def unique(prefix: str) -> str:
    """A unique string for names and emails."""
    return f"{prefix}{next(_counter)}"


def make_user(
    role: str,
    *,
    email: str | None = None,
    region_code: str | None = None,
    school=None,
    enterprise=None,
    name: str | None = None,
    membership_role: str | None = None,
):
    """Create and commit an account with PASSWORD (a member of its organisation: owner unless
    membership_role says staff)."""
    from app.auth.models import User
    from app.auth.services import hash_password
    from app.common.privacy import PRIVACY_NOTICE_VERSION
    from app.common.time import utcnow

    user = User(
        privacy_version=PRIVACY_NOTICE_VERSION,
        privacy_accepted_at=utcnow(),
        email=email or f"{unique(role)}@example.cn",
        name=name or unique("用户"),
        role=role,
        password_hash=hash_password(PASSWORD),
        region_code=region_code if role == "league_admin" else region_code,
        school_id=school.id if school else None,
        enterprise_id=enterprise.id if enterprise else None,
        membership_role=(membership_role or "owner")
        if role in ("school", "enterprise") and (school or enterprise)
        else None,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_enterprise(
    *,
    region_code: str = HOHHOT,
    status: str = "approved",
    uscc: str | None = None,
    name: str | None = None,
    industry: str = "C",
    owner=None,
):
    """Create and commit an enterprise (approved by default) with an optional owner account."""
    from app.registry.models import Enterprise

    enterprise = Enterprise(
        name=name or unique("测试企业"),
        uscc=uscc or fake_uscc(),
        industry_section=industry,
        region_code=region_code,
        address="测试路1号",
        contact_name="张三",
        contact_phone="13800138000",
        status=status,
    )
    db.session.add(enterprise)
    db.session.commit()
    if owner is not None:
        owner.enterprise_id = enterprise.id
        owner.membership_role = "owner"
        db.session.commit()
    return enterprise


def make_school(
    *,
    region_code: str = HOHHOT,
    status: str = "approved",
    kind: str = "technician_college",
    name: str | None = None,
    owner=None,
):
    """Create and commit a school (approved by default)."""
    from app.registry.models import School

    school = School(
        name=name or unique("测试技师学院"),
        kind=kind,
        region_code=region_code,
        address="学院路1号",
        contact_name="李四",
        contact_phone="0471-6661234",
        status=status,
    )
    db.session.add(school)
    db.session.commit()
    if owner is not None:
        owner.school_id = school.id
        owner.membership_role = "owner"
        db.session.commit()
    return school


def make_host(
    enterprise,
    *,
    kind: str = "workshop",
    occupations=("6-18-01-01",),
    capacity: int = 4,
    name: str | None = None,
    **extra,
):
    """Create and commit a host of the enterprise."""
    from app.reference.models import Occupation
    from app.registry.models import HOST_CLASSES

    if kind == "master_studio":
        extra.setdefault("master_name", "王师傅")
        extra.setdefault("level", "regional")
    host = HOST_CLASSES[kind](
        enterprise=enterprise,
        kind=kind,
        name=name or unique("车间"),
        capacity=capacity,
        region_code=enterprise.region_code,
        occupations=[db.session.get(Occupation, c) for c in occupations],
        **extra,
    )
    db.session.add(host)
    db.session.commit()
    return host


def fake_uscc(seed: int | None = None) -> str:
    """A well-formed credit code with a correct check character, unique per call."""
    from app.registry.uscc import check_character

    n = seed if seed is not None else next(_counter)
    body = f"91150100MA{n:07d}"
    return body + check_character(body)


def login(client, user, password: str = PASSWORD):
    """Log the user in through the login form; returns the response."""
    return client.post("/auth/login", data={"email": user.email, "password": password})


def token_for(client, user, password: str = PASSWORD) -> str:
    """An API bearer token for the user."""
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def bearer(token: str) -> dict[str, str]:
    """Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


@dataclass
class World:
    """Known records for flows and the permission table."""

    enterprise: object
    other_enterprise: object
    pending_enterprise: object
    school: object
    other_school: object
    host: object
    other_host: object
    users: dict = field(default_factory=dict)


def build_world() -> World:
    """Two leagues (Hohhot, Baotou) with an enterprise, a school and accounts in each; the
    Hohhot enterprise and school each have an owner and a staff member."""
    ent = make_enterprise(region_code=HOHHOT, name="呼和浩特机床厂")
    other_ent = make_enterprise(region_code=BAOTOU, name="包头稀土公司")
    pending = make_enterprise(region_code=HOHHOT, status="pending", name="待审企业")
    school = make_school(region_code=HOHHOT, name="呼和浩特技师学院")
    other_school = make_school(region_code=BAOTOU, name="包头技工学校", kind="technical_school")
    host = make_host(ent, name="数控车间")
    other_host = make_host(other_ent, name="冶炼班组", occupations=("6-17-03-02",))
    users = {
        "enterprise": make_user("enterprise", enterprise=ent),
        "enterprise_staff": make_user("enterprise", enterprise=ent, membership_role="staff"),
        "enterprise_other": make_user("enterprise", enterprise=other_ent),
        "enterprise_pending": make_user("enterprise", enterprise=pending),
        "enterprise_new": make_user("enterprise"),
        "school": make_user("school", school=school),
        "school_staff": make_user("school", school=school, membership_role="staff"),
        "school_other": make_user("school", school=other_school),
        "school_new": make_user("school"),
        "teacher": make_user("teacher", school=school),
        "league_admin": make_user("league_admin", region_code=HOHHOT),
        "league_admin_other": make_user("league_admin", region_code=BAOTOU),
        "region_admin": make_user("region_admin"),
    }
    return World(ent, other_ent, pending, school, other_school, host, other_host, users)


def use_english(client) -> None:
    """Switch the client's session to the English interface (assertions use English text)."""
    client.post("/auth/language/en", data={"next": "/"})


def login_en(client, user, password: str = PASSWORD):
    """Log in, then switch to English (login clears the session, and with it the locale)."""
    response = login(client, user, password)
    assert response.status_code == 302, response.get_data(as_text=True)
    use_english(client)
    return response

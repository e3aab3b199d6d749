"""`flask demo seed` and `flask demo logins`: an invented demo world in all 14 leagues."""

import time
import unicodedata

import click
from flask import current_app
from flask.cli import AppGroup

from app.demo import data

demo_cli = AppGroup("demo", help="Demo data: an invented world in all 14 leagues and cities.")

#: (role, Chinese label, English label, email, Chinese hint, English hint)
DEMO_LOGINS: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "region_admin",
        "自治区管理员",
        "Region admin",
        data.REGION_ADMIN_EMAIL,
        "审核待审的企业和学校；查看已发布的匹配轮次和未达6个月实践要求的教师",
        "Review pending registrations; see the published round and the practice-rule list",
    ),
    (
        "league_admin",
        "盟市管理员（呼和浩特）",
        "League admin (Hohhot)",
        data.LEAGUE_ADMIN_EMAIL.format(code=data.HOHHOT),
        "审核呼和浩特市的待审企业（有校验位警告）；其他盟市的记录看不到",
        "Review Hohhot's pending enterprises (one has a code warning); no other league",
    ),
    (
        "enterprise",
        "企业用户",
        "Enterprise",
        data.ENTERPRISE_EMAIL,
        "在“我的匹配”中答复推荐；确认教师新记录的实践天数；直接接收已推荐的申请",
        "Answer proposals in My matches; confirm a teacher's logged days; accept an applicant",
    ),
    (
        "enterprise",
        "企业经办人",
        "Enterprise staff",
        data.ENTERPRISE_STAFF_EMAIL,
        "与负责人同属一家企业：发布合作意向、管理岗位；不能修改单位资料或管理成员",
        "Same enterprise as its owner: post offers and placements; no profile or member changes",
    ),
    (
        "school",
        "学校用户",
        "School",
        data.SCHOOL_EMAIL,
        "确认待确认的教师；推荐或退回教师的实践申请；把一体化专业申报到当前批次",
        "Confirm waiting teachers; endorse or return applications; apply a major to the batch",
    ),
    (
        "teacher",
        "教师",
        "Teacher",
        data.TEACHER_EMAIL,
        "在“我的匹配”中接受推荐的实践岗位；查看实践台账（45/180天）和结业证明",
        "Accept the proposed placement in My matches; see the ledger (45 of 180 days)",
    ),
)


def _width(text: str) -> int:
    """Display width in a terminal: wide CJK characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def logins_table() -> str:
    """The demo logins as a small bilingual table, each row followed by what to try first."""
    header = ("角色 Role", "邮箱 Email", "密码 Password")
    rows = [(f"{zh} {en}", email, data.DEMO_PASSWORD) for _, zh, en, email, _, _ in DEMO_LOGINS]
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(2)]

    def line(cells: tuple[str, str, str]) -> str:
        return "  ".join([_pad(cells[0], widths[0]), _pad(cells[1], widths[1]), cells[2]])

    lines = [
        "Gongxue 演示账号 / demo logins",
        "",
        line(header),
        line(("-" * widths[0], "-" * widths[1], "-" * _width(data.DEMO_PASSWORD))),
    ]
    for row, (*_, hint_zh, hint_en) in zip(rows, DEMO_LOGINS, strict=True):
        lines += [line(row), f"    先试试：{hint_zh}", f"    Try first: {hint_en}"]
    lines += [
        "",
        "每个盟市都有管理员 / every league has an admin: "
        + data.LEAGUE_ADMIN_EMAIL.format(code="<code>")
        + "（如 e.g. 150200 包头市）",
        "教师 / teachers: "
        + data.TEACHERS_EMAIL.format(n=1)
        + " … "
        + data.TEACHERS_EMAIL.format(n=300),
        "以上数据均为虚构，并非官方记录 / all demo data is invented, not official records.",
    ]
    return "\n".join(lines)


@demo_cli.command("seed")
@click.option(
    "--scale",
    type=click.Choice(["national", "region", "tiny"]),
    default=None,
    help="Instead of the demo world, generate a world of this size on an empty database "
    "(national: 2,500 schools, 50,000 enterprises, 200,000 teachers; region: 60 schools, "
    "5,000 enterprises, 10,000 teachers). Never on a production database.",
)
@click.option("--seed", "seed_value", type=int, default=None, help="Random seed of --scale.")
def seed_command(scale: str | None, seed_value: int | None) -> None:
    """Create the demo world once; later runs change nothing and keep people's data."""
    if scale is not None:
        _generate(scale, seed_value)
        return
    from app.demo.assessment import seed_assessments
    from app.demo.construction import seed_construction
    from app.demo.cooperation import seed_cooperation, seed_direct
    from app.demo.members import seed_members
    from app.demo.privacy import seed_privacy
    from app.demo.programme import seed_programme
    from app.demo.resources import seed_resources
    from app.demo.world import seed
    from app.extensions import db
    from app.programme.services import seed_plan
    from app.reference.models import Region

    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException(
            "the demo world is refused in production (it creates accounts with a public password)."
        )
    started = time.perf_counter()
    result = seed()
    seed_plan()  # the programme's phases, batches and targets (idempotent)
    db.session.commit()
    coop = None if result.created else seed_cooperation()  # a world seeded before cooperation
    programme = seed_programme()  # each part once: a world seeded before it existed gets it
    resources = seed_resources()
    direct = seed_direct()  # proposals, agreements in every state, ratings
    members = seed_members()
    construction = seed_construction()  # milestones of the finally selected majors
    db.session.commit()
    assessments = seed_assessments()  # on the programme's majors and indicators
    privacy = seed_privacy()
    db.session.commit()
    added = [
        part
        for part in (
            coop,
            programme,
            resources,
            direct,
            members,
            construction,
            assessments,
            privacy,
        )
        if part is not None and part.created
    ]
    if not result.created:
        for part in added:
            summary = ", ".join(f"{k} {v}" for k, v in part.counts.items())
            click.echo(f"demo {_PART_NAMES[type(part).__name__]} added: {summary}")
        if not added:
            click.echo("demo data already present")
        return
    for part in added:
        result.counts.update(part.counts)
    names = {r.code: r.name for r in db.session.scalars(db.select(Region))}
    for code, tally in result.per_league.items():
        click.echo(
            f"  {code} {_pad(names.get(code, code), 12)} schools {tally.get('schools', 0):>2}  "
            f"enterprises {tally.get('enterprises', 0):>3}  hosts {tally.get('hosts', 0):>3}  "
            f"teachers {tally.get('teachers', 0):>3}"
        )
    for email in result.skipped_emails:
        click.echo(f"  skipped {email}: an account with this email exists already")
    summary = ", ".join(f"{k} {v}" for k, v in result.counts.items())
    click.echo(f"demo data created: {summary} ({time.perf_counter() - started:.1f}s)")


def _generate(scale: str, seed_value: int | None) -> None:
    """Generate a world of the scale, print timings and logins, and commit."""
    from app.demo import national
    from app.extensions import db

    try:
        result = national.generate(
            scale, seed=national.SEED if seed_value is None else seed_value, echo=click.echo
        )
    except national.GenerateRefused as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    started = time.perf_counter()
    db.session.commit()
    if result.created:
        click.echo(f"  {'(commit)':<22} {'':>8}      {time.perf_counter() - started:7.2f}s")
    for line in national.describe(result):
        click.echo(line)


_PART_NAMES = {
    "CoopResult": "cooperation",
    "ProgrammeResult": "programme",
    "ResourcesResult": "resources",
    "DirectResult": "direct cooperation",
    "MembersResult": "members",
    "AssessmentResult": "assessments",
    "ConstructionResult": "construction",
    "PrivacyResult": "privacy",
}


@demo_cli.command("logins")
def logins_command() -> None:
    """Print the demo logins (role, email, password, what to try first)."""
    click.echo(logins_table())

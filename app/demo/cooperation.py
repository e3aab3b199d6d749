"""Demo cooperation on top of the demo world: integrated majors, teacher profiles, offers,
placements, pairing requests, applications, one published placement round, pairings, practice
stints with logged and confirmed days, and a few notifications. Invented, deterministic."""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select

from app.auth.models import User
from app.common.time import utcnow
from app.cooperation import services as cooperation
from app.cooperation.models import (
    MODES,
    Application,
    ApplicationChoice,
    Offer,
    Pairing,
    PairingRequest,
    Placement,
    Practice,
    PracticeEntry,
)
from app.demo import data
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import notify
from app.reference.models import Major, Occupation
from app.registry.models import Enterprise, Host, School, SchoolMajor, Teacher
from app.rounds import services as rounds
from app.rounds.models import Match

SEED = 20250702
PROFILE_SHARE = 0.75
CONFIRMED_SHARE = 0.88
MEETS_RULE_SHARE = 0.18
TASKS = (
    "跟岗学习生产工艺",
    "参与车间班组生产任务",
    "整理典型工作任务",
    "与师傅共同完成零件加工",
    "设备点检与维护保养",
    "编写一体化课程学习任务",
    "参加企业安全与质量培训",
    "记录工艺参数，改进教学案例",
)
TITLES = ("讲师", "高级讲师", "一级实习指导教师", "二级实习指导教师", "助理讲师")
REQUIREMENTS = (
    "具有相关专业教学经历，服从车间安全管理。",
    "熟悉本职业基本操作，能参与班组生产任务。",
    "每周在岗不少于4天，实践结束提交实践报告。",
)
DESCRIPTIONS = (
    "共建生产性实训车间，承接真实生产项目教学。",
    "企业师傅进校授课，学生分批进入车间跟岗。",
    "围绕典型工作任务共同开发一体化课程。",
)


@dataclass
class CoopResult:
    """What the cooperation seed created."""

    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def cooperation_present() -> bool:
    """True when demo cooperation exists (the demo teacher has a profile)."""
    stmt = (
        select(Teacher.id)
        .join(User, Teacher.user_id == User.id)
        .where(User.email == data.TEACHER_EMAIL)
    )
    return db.session.scalar(stmt) is not None


def seed_cooperation(today: date | None = None) -> CoopResult:
    """Add the demo cooperation once (flushes, the caller commits); nothing when present or
    when the demo world is missing."""
    if cooperation_present():
        return CoopResult(created=False)
    admin = db.session.scalar(select(User).where(User.email == data.REGION_ADMIN_EMAIL))
    demo_teacher = db.session.scalar(select(User).where(User.email == data.TEACHER_EMAIL))
    if admin is None or demo_teacher is None or demo_teacher.school_id is None:
        return CoopResult(created=False)
    return _Builder(today or cooperation.today(), admin).build()


class _Builder:
    """One run of the cooperation seed."""

    def __init__(self, today: date, admin: User) -> None:
        self.rng = random.Random(SEED)
        self.today = today
        self.admin = admin
        self.counts: Counter = Counter()
        self.schools = list(
            db.session.scalars(
                select(School).where(School.status == "approved").order_by(School.id)
            )
        )
        self.hosts = list(
            db.session.scalars(
                select(Host)
                .join(Enterprise, Host.enterprise_id == Enterprise.id)
                .where(Enterprise.status == "approved", Host.retired_at.is_(None))
                .order_by(Host.id)
            )
        )
        self.majors = list(
            db.session.scalars(
                select(Major)
                .where(Major.active.is_(True), Major.occupation_code.is_not(None))
                .order_by(Major.id)
            )
        )
        self.occupations = {o.code: o for o in db.session.scalars(select(Occupation))}
        self.showcase_school = db.session.scalar(
            select(School)
            .join(User, User.school_id == School.id)
            .where(User.email == data.SCHOOL_EMAIL)
        )
        self.showcase_enterprise = db.session.scalar(
            select(Enterprise)
            .join(User, User.enterprise_id == Enterprise.id)
            .where(User.email == data.ENTERPRISE_EMAIL)
        )
        self.paired: set[tuple[int, int]] = set()
        self.school_staff = {
            u.school_id: u
            for u in db.session.scalars(select(User).where(User.role == "school"))
            if u.school_id
        }

    def build(self) -> CoopResult:
        """Every part in order; returns the counts."""
        majors = self._school_majors()
        teachers = self._teachers()
        self._postings()
        self._pairings(majors)
        self._history(teachers)
        self._applications_and_round(teachers)
        self._notifications()
        db.session.flush()
        return CoopResult(created=True, counts=dict(self.counts))

    # --- majors and teachers ------------------------------------------------------------

    def _school_majors(self) -> list[SchoolMajor]:
        rows = []
        for school in self.schools:
            n = 3 if school.kind == "technician_college" else 2
            if school is self.showcase_school:
                n = 4
            picks = self.rng.sample(self.majors, n)
            if school is self.showcase_school:
                turning = [m for m in self.majors if m.occupation_code == "6-18-01-01"]
                picks = turning[:1] + [m for m in picks if m not in turning][: n - 1]
            for major in picks:
                level = self.rng.choice(("intermediate", "advanced", "advanced", "technician"))
                rows.append(
                    SchoolMajor(
                        school=school,
                        major=major,
                        level=level,
                        cohort_size=self.rng.choice(range(30, 125, 5)),
                    )
                )
        db.session.add_all(rows)
        db.session.flush()
        self.counts["school_majors"] = len(rows)
        self.majors_by_school: dict[int, list[SchoolMajor]] = {}
        for row in rows:
            self.majors_by_school.setdefault(row.school_id, []).append(row)
        return rows

    def _occupations_for(self, school_id: int) -> list[Occupation]:
        codes = {m.major.occupation_code for m in self.majors_by_school.get(school_id, [])}
        picks = self.rng.sample(sorted(codes), min(len(codes), self.rng.choice((1, 1, 2))))
        return [self.occupations[c] for c in picks]

    def _teachers(self) -> list[Teacher]:
        users = list(
            db.session.scalars(
                select(User)
                .where(User.role == "teacher", User.school_id.is_not(None))
                .where(User.email.like(f"%@{data.DEMO_DOMAIN}"))
                .order_by(User.id)
            )
        )
        teachers = []
        waiting_at_showcase = 0
        for user in users:
            demo = user.email == data.TEACHER_EMAIL
            if not demo and self.rng.random() > PROFILE_SHARE:
                continue
            confirmed = demo or self.rng.random() < CONFIRMED_SHARE
            if user.school_id == self.showcase_school.id and not demo and waiting_at_showcase < 2:
                confirmed = False  # the demo school has teachers to confirm
                waiting_at_showcase += 1
            occupations = self._occupations_for(user.school_id)
            if demo:
                occupations = [self.occupations["6-18-01-01"]]
            staff = self.school_staff.get(user.school_id)
            teachers.append(
                Teacher(
                    user_id=user.id,
                    school_id=user.school_id,
                    name=user.name,
                    title=self.rng.choice(TITLES),
                    occupations=occupations,
                    confirmed_at=utcnow() - timedelta(days=self.rng.randint(20, 400))
                    if confirmed
                    else None,
                    confirmed_by_id=staff.id if confirmed and staff else None,
                )
            )
        db.session.add_all(teachers)
        db.session.flush()
        self.counts["teacher_profiles"] = len(teachers)
        self.counts["teachers_confirmed"] = sum(t.confirmed_at is not None for t in teachers)
        return teachers

    # --- offers, placements, pairing requests, pairings ---------------------------------

    def _period(self, start_in: int, months: int) -> tuple[date, date]:
        start = self.today + timedelta(days=start_in)
        return start, start + timedelta(days=30 * months)

    def _postings(self) -> None:
        offers, placements = [], []
        for host in self.hosts:
            showcase = host.enterprise_id == self.showcase_enterprise.id
            occupations = list(host.occupations)
            if showcase or self.rng.random() < 0.35:
                start, end = self._period(self.rng.choice((30, 60, 90)), self.rng.choice((10, 12)))
                offers.append(
                    Offer(
                        host=host,
                        mode=self.rng.choice(MODES),
                        slots=self.rng.randint(1, 3),
                        starts_on=start,
                        ends_on=end,
                        description=self.rng.choice(DESCRIPTIONS),
                        occupations=occupations,
                        status=self.rng.choices(("open", "draft", "closed"), (88, 6, 6))[0],
                    )
                )
            if host.capacity and (showcase or self.rng.random() < 0.45):
                start, end = self._period(-self.rng.randint(10, 60), self.rng.choice((3, 4, 6)))
                placements.append(
                    Placement(
                        host=host,
                        title=host.name,
                        seats=min(host.capacity, self.rng.randint(1, 4)),
                        starts_on=start,
                        ends_on=end,
                        requirements=self.rng.choice(REQUIREMENTS),
                        occupations=occupations,
                        status=self.rng.choices(("open", "draft", "closed"), (90, 5, 5))[0],
                    )
                )
        for row in (*offers, *placements):
            if row.host.enterprise_id == self.showcase_enterprise.id:
                row.status = "open"
        db.session.add_all([*offers, *placements])
        db.session.flush()
        self.offers = [o for o in offers if o.status == "open"]
        self.placements = [p for p in placements if p.status == "open"]
        self.counts["offers"] = len(offers)
        self.counts["placements"] = len(placements)

    def _pairings(self, majors: list[SchoolMajor]) -> None:
        requests, pairings = [], 0
        for major in majors:
            if self.rng.random() > 0.55 and major.school is not self.showcase_school:
                continue
            region = major.school.region_code
            start, end = self._period(30, 12)
            request = PairingRequest(
                school_major=major,
                occupations=[self.occupations[major.major.occupation_code]],
                preferred_modes=sorted(self.rng.sample(MODES, self.rng.randint(1, 2))),
                preferred_region_codes=[region],
                starts_on=start,
                ends_on=end,
                wanted=self.rng.choice((1, 1, 2)),
                status=self.rng.choice(("submitted", "endorsed")),
            )
            requests.append(request)
        db.session.add_all(requests)
        db.session.flush()
        for request in requests:
            if self.rng.random() > 0.4:
                continue
            offer = self._offer_for(request)
            if offer is None:
                continue
            offer.slots_taken += 1
            db.session.add(
                Pairing(
                    school_major_id=request.school_major_id,
                    offer_id=offer.id,
                    pairing_request_id=request.id,
                    started_on=max(request.starts_on, offer.starts_on),
                    status="active",
                )
            )
            self.paired.add((request.school_major_id, offer.id))
            pairings += 1
            if request.wanted == 1:
                request.status = "matched"
        db.session.flush()
        self.counts["pairing_requests"] = len(requests)
        self.counts["pairings"] = pairings

    def _offer_for(self, request: PairingRequest) -> Offer | None:
        """An open offer with a free slot in the request's league, same occupation first."""
        code = request.occupations[0].code
        region = request.school_major.school.region_code
        candidates = [
            o
            for o in self.offers
            if o.free > 0
            and o.host.region_code == region
            and (request.school_major_id, o.id) not in self.paired
        ]
        fitting = [o for o in candidates if code in {x.code for x in o.occupations}]
        pool = fitting or candidates
        return self.rng.choice(pool) if pool else None

    # --- practice history ---------------------------------------------------------------

    def _history(self, teachers: list[Teacher]) -> None:
        """Past and ongoing stints with logged days; a share of teachers meets the rule."""
        confirmed = [t for t in teachers if t.confirmed_at is not None]
        self.demo = next(t for t in confirmed if t.user.email == data.TEACHER_EMAIL)
        entries: list[dict] = []
        plans = []
        past_hosts = [h for h in self.hosts if h.capacity]
        for teacher in confirmed:
            if teacher is self.demo:
                continue
            roll = self.rng.random()
            if roll < MEETS_RULE_SHARE:
                lengths = [self.rng.randint(100, 130), self.rng.randint(80, 110)]
            elif roll < 0.65:
                lengths = [self.rng.randint(10, 90)]
            else:
                continue
            for i, days in enumerate(lengths):
                start = self.today - timedelta(days=300 + 420 * i + self.rng.randint(0, 200))
                plans.append((teacher, self.rng.choice(past_hosts), start, days))
        showcase_hosts = [h for h in past_hosts if h.enterprise_id == self.showcase_enterprise.id]
        plans.append((self.demo, showcase_hosts[0], self.today - timedelta(days=700), 45))
        for teacher, host, start, days in plans:
            practice = self._past_stint(teacher, host, start, days)
            entries += _entries(practice.id, _weekdays(start, days), confirmed=days)
        entries += self._showcase_ongoing(confirmed)
        db.session.execute(insert(PracticeEntry), entries)
        self.counts["practice_entries"] = len(entries)
        self.counts["practices"] = len(plans) + 1

    def _past_stint(self, teacher: Teacher, host: Host, start: date, days: int) -> Practice:
        """A closed placement of the host that the teacher completed, its seat counted."""
        last = _weekdays(start, days)[-1]
        placement = Placement(
            host=host,
            title=host.name,
            seats=1,
            seats_taken=1,
            starts_on=start,
            ends_on=last,
            requirements=REQUIREMENTS[0],
            occupations=list(host.occupations),
            status="closed",
        )
        practice = Practice(
            teacher=teacher,
            placement=placement,
            status="completed",
            started_on=start,
            ended_on=last,
            days_confirmed=days,
            confirmed_at=datetime.combine(last, datetime.min.time(), UTC),
        )
        db.session.add_all([placement, practice])
        db.session.flush()
        return practice

    def _showcase_placements(self) -> list[Placement]:
        return [
            p
            for p in self.placements
            if p.host.enterprise_id == self.showcase_enterprise.id and p.free > 0
        ]

    def _showcase_ongoing(self, confirmed: list[Teacher]) -> list[dict]:
        """A teacher of the demo school practises at the demo enterprise now: 10 days logged,
        6 confirmed, 4 waiting for the enterprise."""
        teacher = next(
            t for t in confirmed if t.school_id == self.showcase_school.id and t is not self.demo
        )
        placement = max(self._showcase_placements(), key=lambda p: p.free)
        application = Application(
            teacher=teacher,
            starts_on=placement.starts_on,
            ends_on=placement.ends_on,
            status="endorsed",
            endorsed_at=utcnow(),
        )
        application.choices.append(ApplicationChoice(placement=placement, rank=1))
        db.session.add(application)
        db.session.flush()
        cooperation.claim_seat(placement.id)
        practice = cooperation.start_practice(application, placement)
        days = _weekdays(self.today - timedelta(days=16), 10)  # all before today
        practice.started_on = days[0]
        placement.starts_on = min(placement.starts_on, days[0])
        practice.days_confirmed = 6
        return _entries(practice.id, days, confirmed=6)

    # --- applications and the published round -------------------------------------------

    def _applications_and_round(self, teachers: list[Teacher]) -> None:
        """Endorsed applications go through a real round (published; some matches confirmed,
        some accepted by the teacher); later applications wait for the school or for an
        enterprise's direct acceptance."""
        busy = set(
            db.session.scalars(select(Practice.teacher_id).where(Practice.status == "ongoing"))
        )
        free = [
            t
            for t in teachers
            if t.confirmed_at is not None and t.id not in busy and t is not self.demo
        ]
        self.rng.shuffle(free)
        in_round, later = free[:60], free[60:90]
        self._apply(self.demo, "endorsed", showcase=True)
        for i, teacher in enumerate(in_round):
            self._apply(teacher, "endorsed", showcase=i < 4)
        db.session.flush()
        round_ = rounds.create_round(
            self.admin, "placement", None, "optimal", {}, utcnow() + timedelta(days=14)
        )
        rounds.run_round(self.admin, round_)
        rounds.publish_round(self.admin, round_)
        confirmed = 0
        for match in round_.matches:
            if match.status != "proposed" or match.application.teacher is self.demo:
                continue
            showcase = match.placement.host.enterprise_id == self.showcase_enterprise.id
            roll = self.rng.random()
            if roll < 0.4 and not showcase:
                self._confirm(match)
                confirmed += 1
            elif roll < 0.7:
                match.status = "accepted_applicant"
                match.applicant_accepted_at = utcnow()
        self.counts["round_matches"] = len(round_.matches)
        self.counts["round_confirmed"] = confirmed
        for i, teacher in enumerate(later):
            self._apply(teacher, "endorsed" if i % 3 == 0 else "submitted", showcase=i < 6)
        self._showcase_school_waiting()
        db.session.flush()
        self.counts["applications"] = db.session.scalar(select(func.count(Application.id)))

    def _apply(self, teacher: Teacher, status: str, showcase: bool = False) -> None:
        """An application with one to three ranked open placements fitting the teacher."""
        codes = set(teacher.occupation_codes)
        region = teacher.school.region_code
        pool = self._showcase_placements() if showcase else [p for p in self.placements if p.free]
        fitting = [p for p in pool if codes & {o.code for o in p.occupations}]
        near = [p for p in fitting if p.host.region_code == region]
        ranked = list(dict.fromkeys(near + fitting + pool))[:8]
        if not ranked:
            return
        picks = self.rng.sample(ranked, min(len(ranked), self.rng.randint(1, 3)))
        staff = self.school_staff.get(teacher.school_id)
        endorsed = status == "endorsed"
        application = Application(
            teacher=teacher,
            starts_on=picks[0].starts_on,
            ends_on=picks[0].ends_on,
            status=status,
            endorsed_at=utcnow() if endorsed else None,
            endorsed_by_id=staff.id if endorsed and staff else None,
        )
        for rank, placement in enumerate(picks, start=1):
            application.choices.append(ApplicationChoice(placement=placement, rank=rank))
        db.session.add(application)

    def _confirm(self, match: Match) -> None:
        """Both sides accepted: the seat is claimed and the practice starts (as the service)."""
        match.applicant_accepted_at = match.host_accepted_at = utcnow()
        match.status = "confirmed"
        cooperation.claim_seat(match.placement_id)
        cooperation.start_practice(match.application, match.placement, match)

    def _showcase_school_waiting(self) -> None:
        """Submitted applications of the demo school's confirmed teachers, for it to endorse."""
        school_id = self.showcase_school.id
        busy = set(
            db.session.scalars(
                select(Application.teacher_id).where(
                    Application.status.in_(("submitted", "endorsed", "matched"))
                )
            )
        )
        db.session.flush()
        teachers = db.session.scalars(
            select(Teacher)
            .where(Teacher.school_id == school_id, Teacher.confirmed_at.is_not(None))
            .order_by(Teacher.id)
        )
        waiting = [t for t in teachers if t.id not in busy and t is not self.demo][:3]
        for teacher in waiting:
            self._apply(teacher, "submitted")

    # --- notifications ------------------------------------------------------------------

    def _notifications(self) -> None:
        """A few messages for the demo school and teacher beyond those the round sent."""
        school_user = db.session.scalar(select(User).where(User.email == data.SCHOOL_EMAIL))
        teacher_user = db.session.scalar(select(User).where(User.email == data.TEACHER_EMAIL))
        school = self.showcase_school
        notify([teacher_user], "teacher_confirmed", {"school": school.name}, "/cooperation/profile")
        notify(
            [teacher_user],
            "practice_days_confirmed",
            {"enterprise": self.showcase_enterprise.name, "days": 6},
            "/cooperation/applications",
        )
        for teacher in db.session.scalars(
            select(Teacher)
            .where(Teacher.school_id == school.id, Teacher.confirmed_at.is_(None))
            .order_by(Teacher.id)
            .limit(3)
        ):
            notify(
                [school_user],
                "teacher_registered",
                {"teacher": teacher.name, "school": school.name},
                "/cooperation/teachers",
            )
        self.counts["notifications"] = db.session.scalar(select(func.count(Notification.id)))


def _entries(practice_id: int, days: list[date], confirmed: int) -> list[dict]:
    """Rows of logged days for a bulk insert; the first `confirmed` days are confirmed."""
    now = utcnow()
    return [
        {
            "practice_id": practice_id,
            "on_date": on_date,
            "description": TASKS[n % len(TASKS)],
            "confirmed": n < confirmed,
            "created_at": now,
            "updated_at": now,
        }
        for n, on_date in enumerate(days)
    ]


def _weekdays(start: date, n: int) -> list[date]:
    """The first n working days (Monday to Friday) from start."""
    days, day = [], start
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


# --- direct pairing, agreements and feedback ----------------------------------------------

DEMO_SCAN = b"%PDF-1.4\n% demo scan of a signed agreement\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DECLINE_REASONS = ("本学期车间排产已满，明年再议。", "合作模式与我校专业建设规划不一致。")
COMMENTS = (
    "师傅指导认真，收获很大。",
    "岗位安排合理，建议增加轮岗。",
    "沟通顺畅，成效明显。",
    None,
)


@dataclass
class DirectResult:
    """What the direct-cooperation seed created."""

    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def seed_direct(today: date | None = None) -> DirectResult:
    """Proposals both ways, agreements in every state and ratings, once (flushes only);
    nothing when present or before the cooperation demo exists."""
    from app.cooperation.models import Agreement, Proposal

    if db.session.scalar(select(Proposal.id).limit(1)) is not None:
        return DirectResult(created=False)
    if db.session.scalar(select(Agreement.id).limit(1)) is not None:
        return DirectResult(created=False)
    if not cooperation_present():
        return DirectResult(created=False)
    return _Direct(today or cooperation.today()).build()


class _Direct:
    """One run of the direct-cooperation seed."""

    def __init__(self, today: date) -> None:
        self.rng = random.Random(SEED + 1)
        self.today = today
        self.counts: Counter = Counter()
        self.school_user = db.session.scalar(select(User).where(User.email == data.SCHOOL_EMAIL))
        self.enterprise_user = db.session.scalar(
            select(User).where(User.email == data.ENTERPRISE_EMAIL)
        )

    def build(self) -> DirectResult:
        """Every part in order; returns the counts."""
        self._proposals()
        self._agreements()
        self._feedback()
        db.session.flush()
        return DirectResult(created=True, counts=dict(self.counts))

    @staticmethod
    def _staff(role: str, org_id: int) -> User | None:
        column = User.school_id if role == "school" else User.enterprise_id
        return db.session.scalar(
            select(User).where(column == org_id, User.role == role).order_by(User.id).limit(1)
        )

    def _open_offers(self, region: str | None = None, enterprise_id: int | None = None):
        stmt = (
            select(Offer)
            .join(Host, Offer.host_id == Host.id)
            .join(Enterprise, Host.enterprise_id == Enterprise.id)
            .where(
                Offer.status == "open",
                Offer.slots_taken < Offer.slots,
                Host.retired_at.is_(None),
                Enterprise.status == "approved",
            )
            .order_by(Offer.id)
        )
        if region:
            stmt = stmt.where(Host.region_code == region)
        if enterprise_id:
            stmt = stmt.where(Host.enterprise_id == enterprise_id)
        return list(db.session.scalars(stmt))

    def _proposals(self) -> None:
        """The demo enterprise proposes its offers to open requests (the demo school's among
        them: one waiting, one accepted, one declined); the demo school proposes its majors to
        offers, the demo enterprise's among them."""
        from app.cooperation.models import OPEN_REQUEST_STATUSES

        if self.school_user is None or self.enterprise_user is None:
            return
        offers = self._open_offers(enterprise_id=self.enterprise_user.enterprise_id)
        requests = list(
            db.session.scalars(
                select(PairingRequest)
                .where(PairingRequest.status.in_(OPEN_REQUEST_STATUSES))
                .order_by(PairingRequest.id)
            )
        )
        own = [r for r in requests if r.school_major.school_id == self.school_user.school_id]
        others = [r for r in requests if r not in own][:6]
        plans = []
        if own:
            plans += [(own[0], "declined"), (own[0], "accepted")]
            plans += [(r, "pending") for r in own[1:]] or [(own[0], "pending")]
        plans += [(r, "pending") for r in others]
        for index, (request, outcome) in enumerate(plans):
            paired = self._paired()
            choices = [
                o for o in offers if o.free > 0 and (request.school_major_id, o.id) not in paired
            ]
            if not choices:
                continue
            offer = choices[index % len(choices)]
            try:
                proposal = cooperation.propose_offer(
                    self.enterprise_user,
                    request,
                    {"offer_id": offer.id, "note": DESCRIPTIONS[index % len(DESCRIPTIONS)]},
                )
                if outcome == "accepted":
                    cooperation.accept_proposal(self.school_user, proposal)
                elif outcome == "declined":
                    cooperation.decline_proposal(
                        self.school_user, proposal, DECLINE_REASONS[index % 2]
                    )
            except cooperation.ServiceError:
                continue
            self.counts[f"proposals_{outcome}"] += 1
        self._showcase_school_applies()

    def _paired(self) -> set[tuple[int, int]]:
        rows = db.session.execute(select(Pairing.school_major_id, Pairing.offer_id))
        pending = db.session.execute(select(PairingRequest.id).where(PairingRequest.id.is_(None)))
        del pending
        return {(m, o) for m, o in rows}

    def _showcase_school_applies(self) -> None:
        """The demo school proposes its majors to offers: other enterprises' and one of the
        demo enterprise's (which the demo enterprise answers)."""
        majors = list(
            db.session.scalars(
                select(SchoolMajor)
                .where(SchoolMajor.school_id == self.school_user.school_id)
                .order_by(SchoolMajor.id)
            )
        )
        region = self.school_user.school.region_code if self.school_user.school else None
        targets = self._open_offers(enterprise_id=self.enterprise_user.enterprise_id)[-1:]
        targets += [
            o
            for o in self._open_offers(region)
            if o.host.enterprise_id != self.enterprise_user.enterprise_id
        ][:2]
        for index, offer in enumerate(targets):
            paired = self._paired()
            for major in majors[index:] + majors[:index]:
                if (major.id, offer.id) in paired:
                    continue
                try:
                    cooperation.propose_major(
                        self.school_user,
                        offer,
                        {"school_major_id": major.id, "note": "希望共建生产性实训基地。"},
                    )
                except cooperation.ServiceError:
                    continue
                self.counts["proposals_pending"] += 1
                break

    def _agreements(self) -> None:
        """Agreements of pairings in every state: waiting for the scan, partly confirmed, in
        force, replaced by a newer version, and one ending within 30 days. The demo school's
        pairing with the demo enterprise waits for the enterprise's confirmation."""
        from app.cooperation.models import Agreement, AgreementParty
        from app.resources import storage

        pairings = list(
            db.session.scalars(
                select(Pairing).where(Pairing.status == "active").order_by(Pairing.id)
            )
        )
        ent_id = self.enterprise_user.enterprise_id if self.enterprise_user else None
        school_id = self.school_user.school_id if self.school_user else None
        showcase = [
            p
            for p in pairings
            if p.offer.host.enterprise_id == ent_id and p.school_major.school_id == school_id
        ]
        rest = [p for p in pairings if p not in showcase]
        plans = [(p, "partly") for p in showcase[:1]]
        plans += list(
            zip(
                rest,
                ("no_scan", "active", "superseded", "ending", "active", "partly"),
                strict=False,
            )
        )
        now = utcnow()

        def record(pairing, plan, version=1, previous=None, title_suffix=""):
            if plan == "ending":
                starts = min(pairing.started_on, self.today - timedelta(days=300))
                ends = self.today + timedelta(days=20)
            else:
                starts = pairing.started_on
                ends = starts + timedelta(days=400)
            row = Agreement(
                subject="pairing",
                pairing_id=pairing.id,
                version=version,
                previous_id=previous.id if previous else None,
                state="pending",
                title=f"{pairing.school_major.major.name}专业结对合作协议{title_suffix}",
                starts_on=starts,
                ends_on=ends,
                terms="一、企业提供生产性实训岗位并派出技能师傅。\n"
                "二、学校按学期安排师生进入车间。\n三、双方共同开发一体化课程。",
                school_id=pairing.school_major.school_id,
                enterprise_id=pairing.offer.host.enterprise_id,
                region_code=pairing.region_code,
            )
            row.parties = [AgreementParty(party="school"), AgreementParty(party="enterprise")]
            if plan != "no_scan":
                from io import BytesIO

                stored = storage.save(BytesIO(DEMO_SCAN), "协议扫描件.pdf")
                row.file_stored_name = stored.stored_name
                row.file_original_name = stored.original_name
                row.file_content_type = stored.content_type
                row.file_size = stored.size
                row.file_sha256 = stored.sha256
                row.file_uploaded_at = now
            if plan == "partly":
                row.parties[0].confirmed_at = now
                row.parties[0].confirmed_by_id = self.school_user.id if self.school_user else None
            if plan in ("active", "ending", "superseded"):
                for party in row.parties:
                    party.confirmed_at = now
                row.state = "active"
                row.activated_at = now
            db.session.add(row)
            db.session.flush()
            return row

        for pairing, plan in plans:
            row = record(pairing, plan)
            if plan == "superseded":
                row.state = "superseded"
                record(pairing, "active", 2, row, "（修订）")
                self.counts["agreements_superseded"] += 1
                self.counts["agreements_active"] += 1
            elif plan in ("active", "ending"):
                self.counts["agreements_active"] += 1
            else:
                self.counts["agreements_pending"] += 1

    def _feedback(self) -> None:
        """Teachers rate completed placements, enterprises the practices, schools pairings."""
        practices = list(
            db.session.scalars(
                select(Practice).where(Practice.status == "completed").order_by(Practice.id)
            )
        )
        for index, practice in enumerate(practices):
            teacher_user = practice.teacher.user
            enterprise = self._staff("enterprise", practice.placement.host.enterprise_id)
            base = self.rng.randint(3, 5)
            answers = []
            if teacher_user is not None and index < 60:
                answers.append(
                    (
                        teacher_user,
                        "placement",
                        {
                            "guidance": base,
                            "learning": max(1, base - self.rng.randint(0, 1)),
                            "conditions": self.rng.randint(3, 5),
                        },
                    )
                )
            if enterprise is not None:
                answers.append(
                    (
                        enterprise,
                        "practice",
                        {"attitude": 5, "skill": base, "contribution": self.rng.randint(3, 5)},
                    )
                )
            for author, occasion, scores in answers:
                try:
                    cooperation.submit_feedback(
                        author,
                        {
                            "occasion": occasion,
                            "subject_id": practice.id,
                            "scores": scores,
                            "comment": COMMENTS[index % len(COMMENTS)],
                        },
                    )
                except cooperation.ServiceError:
                    continue
                self.counts[f"feedback_{occasion}"] += 1
        pairings = list(db.session.scalars(select(Pairing).order_by(Pairing.id)))
        for index, pairing in enumerate(pairings):
            school = self._staff("school", pairing.school_major.school_id)
            if school is None or index % 3 == 2:
                continue
            occasion = "pairing_end" if pairing.status == "ended" else "pairing_year"
            try:
                cooperation.submit_feedback(
                    school,
                    {
                        "occasion": occasion,
                        "subject_id": pairing.id,
                        "scores": {
                            "communication": self.rng.randint(3, 5),
                            "commitment": self.rng.randint(3, 5),
                            "results": self.rng.randint(2, 5),
                        },
                        "comment": COMMENTS[index % len(COMMENTS)],
                    },
                )
            except cooperation.ServiceError:
                continue
            self.counts["feedback_pairing"] += 1

"""Demo programme on top of the demo cooperation: batch applications (selected majors in their
construction stages, rejections with reasons, a few awaiting a decision in a current batch that
the demo opens around the day it is seeded, the plan's phases staying history), integrated-teacher
statuses with training records at the research bases, teaching hours, part-time teachers and
nominations (one published). Invented, deterministic, inserted directly within every limit."""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from app.auth.models import User
from app.common import audit
from app.common.models import AuditEvent
from app.common.time import add_working_days, local_today, utcnow
from app.demo import data
from app.extensions import db
from app.programme.models import (
    Batch,
    BatchApplication,
    GraduateOutcome,
    Indicator,
    Nomination,
    NominationScore,
    PartTimeTeacher,
    Phase,
    ResearchBase,
    TeacherStatus,
    TeachingHours,
    TrainingRecord,
)
from app.programme.services import weighted_total
from app.registry.models import Enterprise, School, SchoolMajor, Teacher

SEED = 20250703
MARKER = "demo.programme"
#: Selected majors per batch (oldest first) and the stages they have reached since.
SELECTED_PER_BATCH = (5, 4, 3)
STAGES_BY_BATCH = (
    ("demonstration", "assessed", "assessed", "demonstration", "under_construction"),
    ("under_construction", "assessed", "under_construction", "selected"),
    ("selected", "under_construction", "selected"),
)
SELECTED_SCHOOLS = 7
TRAINED_SHARE = 0.27
CERTIFIED_SHARE = 0.18
APPLY_REASONS = (
    "专业建设方案中校企合作内容不具体，缺少合作企业的书面协议，请完善后在下一批次申报。",
    "一体化课程标准尚未完成，典型工作任务分析不充分。",
    "专业师资中一体化教师比例偏低，建议先开展师资培训再申报。",
    "实训场地不能满足一体化教学需要，请补充场地建设计划。",
    "同一专业在本盟市已有院校入选，建议错位发展、调整申报方向。",
)
COURSES = (
    ("一体化课程教学设计与实施", 56),
    ("典型工作任务分析与学习任务设计", 40),
    ("一体化课程教学评价", 32),
    ("企业实践与课程转化", 80),
    ("一体化教师能力提升研修班", 120),
)
PART_TIME_TITLES = ("高级技师", "技师", "首席技师", "技能大师")
#: The demo's own current period: its batch opened two weeks before seeding and closes six weeks
#: after, so schools can apply the day the demo is seeded, whatever that day is.
CURRENT_PHASE = "当前推进阶段（演示）"
CURRENT_BATCH = "当前批次（演示）"
CURRENT_OPENED_DAYS_AGO = 14
CURRENT_CLOSES_IN_DAYS = 42
NOMINATIONS = (
    ("demonstration_major", "{major}工学一体化示范专业", "published"),
    ("boutique_course", "{major}一体化精品课程", "scored"),
    ("quality_classroom", "{major}学习任务优质课堂", "scored"),
    ("quality_classroom", "{major}一体化优质课堂", "submitted"),
    ("boutique_course", "{major}典型工作任务精品课程", "submitted"),
)


@dataclass
class ProgrammeResult:
    """What the programme seed created."""

    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def programme_present() -> bool:
    """True when the demo programme was seeded (its audit marker exists)."""
    return db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == MARKER)) is not None


def seed_programme(today: date | None = None) -> ProgrammeResult:
    """Add the demo programme once (flushes, the caller commits); nothing when present, when
    the demo cooperation or the plan's batches are missing."""
    if programme_present():
        return ProgrammeResult(created=False)
    admin = db.session.scalar(select(User).where(User.email == data.REGION_ADMIN_EMAIL))
    school_user = db.session.scalar(select(User).where(User.email == data.SCHOOL_EMAIL))
    today = local_today() if today is None else today
    batches = list(
        db.session.scalars(
            select(Batch).where(Batch.closes_on < today).order_by(Batch.opens_on, Batch.id)
        )
    )
    has_teachers = db.session.scalar(select(Teacher.id).limit(1)) is not None
    if admin is None or school_user is None or not batches or not has_teachers:
        return ProgrammeResult(created=False)
    current = current_batch(today)
    result = _Builder(today, admin, school_user.school_id, batches, current).build()
    audit.record(None, MARKER, admin, after=result.counts)
    db.session.flush()
    return result


def current_batch(today: date) -> Batch:
    """The demo's current phase and batch, open on today (created once; flushes)."""
    phase = db.session.scalar(select(Phase).where(Phase.name == CURRENT_PHASE))
    if phase is None:
        number = (db.session.scalar(select(func.max(Phase.number))) or 0) + 1
        phase = Phase(
            number=number,
            name=CURRENT_PHASE,
            starts_on=today - timedelta(days=60),
            ends_on=today + timedelta(days=300),
            description="演示数据：规划的三个阶段已成为历史，演示世界自带一个当前阶段。",
        )
        db.session.add(phase)
        db.session.flush()
    batch = db.session.scalar(select(Batch).where(Batch.phase_id == phase.id))
    if batch is None:
        batch = Batch(
            phase_id=phase.id,
            name=CURRENT_BATCH,
            opens_on=today - timedelta(days=CURRENT_OPENED_DAYS_AGO),
            closes_on=today + timedelta(days=CURRENT_CLOSES_IN_DAYS),
        )
        db.session.add(batch)
        db.session.flush()
    return batch


def _at(day: date, hour: int = 10) -> datetime:
    """A moment on day (UTC)."""
    return datetime.combine(day, time(hour), UTC)


class _Builder:
    """One run of the programme seed."""

    def __init__(
        self, today: date, admin: User, showcase_id: int, batches: list[Batch], current: Batch
    ) -> None:
        self.rng = random.Random(SEED)
        self.today = today
        self.admin = admin
        self.showcase_id = showcase_id
        self.batches = batches[-3:]
        self.current = current
        self.counts: Counter = Counter()
        self.league_admins = {
            u.region_code: u
            for u in db.session.scalars(select(User).where(User.role == "league_admin"))
        }
        self.schools = list(
            db.session.scalars(
                select(School).where(School.status == "approved").order_by(School.id)
            )
        )
        self.majors: dict[int, list[SchoolMajor]] = {}
        for major in db.session.scalars(select(SchoolMajor).order_by(SchoolMajor.id)):
            self.majors.setdefault(major.school_id, []).append(major)

    def build(self) -> ProgrammeResult:
        """Every part in order; returns the counts."""
        self.counts.update(seed_examples())
        self._applications()
        self._notices()
        self._teachers()
        self._part_timers()
        self._nominations()
        self._outcomes()
        db.session.flush()
        return ProgrammeResult(created=True, counts=dict(self.counts))

    # --- batch applications -------------------------------------------------------------

    def _selected_schools(self) -> list[School]:
        """The demo school and one school each in six other leagues, colleges first."""
        showcase = next(s for s in self.schools if s.id == self.showcase_id)
        chosen, leagues = [showcase], set()
        others = [
            s for s in self.schools if s is not showcase and len(self.majors.get(s.id, [])) > 1
        ]
        others.sort(key=lambda s: (s.kind != "technician_college", self.rng.random()))
        for school in others:
            if len(chosen) == SELECTED_SCHOOLS:
                break
            if school.region_code not in leagues and school.region_code != data.HOHHOT:
                chosen.append(school)
                leagues.add(school.region_code)
        return chosen

    def _applications(self) -> None:
        """Selected majors spread over the batches; rejections (some applied again and
        selected later); the latest batch keeps a few awaiting a decision."""
        self.slots: Counter = Counter()
        self.rows: list[BatchApplication] = []
        chosen = self._selected_schools()
        wanted = {s.id: 3 if s.id == self.showcase_id else 2 for s in chosen}
        while sum(wanted.values()) > sum(SELECTED_PER_BATCH):
            smallest = min((s for s in chosen[1:] if wanted[s.id] > 1), key=lambda s: s.id)
            wanted[smallest.id] -= 1
        queue = [(s, m) for s in chosen for m in self.majors[s.id][: wanted[s.id]]]
        stages = [
            (b, stage)
            for b, row in zip(self.batches, STAGES_BY_BATCH, strict=False)
            for stage in row
        ]
        self.selected_majors = [m for _s, m in queue]
        for (school, major), (batch, stage) in zip(queue, stages, strict=False):
            if self._reapplied(school, major, batch):
                continue
            self._apply(batch, school, major, stage)
        self._rejections_and_waiting(chosen)
        db.session.add_all(self.rows)
        db.session.flush()
        self.counts["batch_applications"] = len(self.rows)
        self.counts["majors_selected"] = len(
            {r.school_major_id for r in self.rows if r.is_selected}
        )
        self.counts["schools_selected"] = len({r.school_id for r in self.rows if r.is_selected})

    def _reapplied(self, school: School, major: SchoolMajor, batch: Batch) -> bool:
        """Now and then a major is rejected in the batch before and selected in this one."""
        index = self.batches.index(batch)
        if index == 0 or self.rng.random() > 0.3:
            return False
        earlier = self.batches[index - 1]
        if self.slots[(earlier.id, school.id)] >= earlier.limit_for(school.kind):
            return False
        self._apply(earlier, school, major, "rejected")
        self._apply(batch, school, major, "selected")
        return True

    def _apply(self, batch: Batch, school: School, major: SchoolMajor, status: str) -> bool:
        """One application in the school's next free slot; False when the limit is reached."""
        key = (batch.id, school.id)
        if self.slots[key] >= batch.limit_for(school.kind):
            return False
        self.slots[key] += 1
        decided = status != "submitted"
        admin = self.league_admins.get(school.region_code, self.admin)
        day = min(batch.closes_on + timedelta(days=self.rng.randint(10, 40)), self.today)
        self.rows.append(
            BatchApplication(
                batch_id=batch.id,
                school_id=school.id,
                school_major_id=major.id,
                slot=self.slots[key],
                status=status,
                reason=self.rng.choice(APPLY_REASONS) if status == "rejected" else None,
                decided_at=_at(day) if decided else None,
                decided_by_id=self.admin.id if decided else None,
                recommended_at=_at(day - timedelta(days=5)) if decided else None,
                recommended_by_id=admin.id if decided else None,
            )
        )
        return True

    def _notices(self) -> None:
        """Each closed batch's selection was published for five working days after the last
        decision; the latest waiting application is already recommended to the region."""
        for batch in self.batches:
            days = [
                r.decided_at.date() for r in self.rows if r.batch_id == batch.id and r.is_selected
            ]
            if not days or batch.closes_on >= self.today:
                continue
            start = min(max(days) + timedelta(days=1), self.today)
            batch.notice_starts_on = start
            batch.notice_ends_on = add_working_days(start, 5)
            batch.notice_published_at = _at(start, 9)
        waiting = [r for r in self.rows if r.status == "submitted"]
        if len(waiting) > 1:
            row = waiting[-1]
            region = next(s.region_code for s in self.schools if s.id == row.school_id)
            row.status = "recommended"
            row.recommended_at = _at(self.today - timedelta(days=1))
            row.recommended_by_id = self.league_admins.get(region, self.admin).id

    def _rejections_and_waiting(self, chosen: list[School]) -> None:
        """Other schools' applications: most rejected with a reason in the past batches; in the
        current batch, a few wait for their league's administrator (one in Hohhot)."""
        taken = {m.id for m in self.selected_majors}
        applied = {(r.batch_id, r.school_major_id) for r in self.rows}
        others = [s for s in self.schools if s not in chosen and self.majors.get(s.id)]
        self.rng.shuffle(others)
        hohhot = next((s for s in others if s.region_code == data.HOHHOT), None)
        if hohhot is not None:  # the Hohhot administrator has one to decide
            others.remove(hohhot)
            others.insert(0, hohhot)
        latest = self.current
        for n, school in enumerate(others[:12]):
            major = next(m for m in self.majors[school.id] if m.id not in taken)
            batch = latest if n < 3 else self.rng.choice(self.batches)
            if (batch.id, major.id) in applied:
                continue
            status = "submitted" if batch is latest else "rejected"
            if self._apply(batch, school, major, status):
                applied.add((batch.id, major.id))

    # --- teachers -----------------------------------------------------------------------

    def _teachers(self) -> None:
        """Statuses for a share of confirmed teachers, their training at the research bases,
        and teaching hours for two terms."""
        teachers = list(
            db.session.scalars(
                select(Teacher).where(Teacher.confirmed_at.is_not(None)).order_by(Teacher.id)
            )
        )
        bases = list(db.session.scalars(select(ResearchBase).order_by(ResearchBase.id)))
        demo = db.session.scalar(
            select(Teacher.id)
            .join(User, User.id == Teacher.user_id)
            .where(User.email == data.TEACHER_EMAIL)
        )
        statuses, records, hours = [], [], []
        for teacher in teachers:
            roll = self.rng.random()
            status = (
                "certified"
                if roll < CERTIFIED_SHARE
                else "trained"
                if roll < CERTIFIED_SHARE + TRAINED_SHARE or teacher.id == demo
                else None
            )
            if status:
                admin = self.league_admins.get(teacher.school.region_code, self.admin)
                statuses.append(
                    {"teacher_id": teacher.id, "status": status, "updated_by_id": admin.id}
                )
            if status or roll < 0.55:
                records += self._training(teacher, status, bases)
            if self.rng.random() < 0.7:
                hours += self._hours(teacher)
        now = utcnow()
        for rows, model in ((statuses, TeacherStatus), (records, TrainingRecord)):
            for row in rows:
                row.update(created_at=now, updated_at=now)
            if rows:
                db.session.execute(insert(model), rows)
        for row in hours:
            row.update(created_at=now, updated_at=now)
        if hours:
            db.session.execute(insert(TeachingHours), hours)
        self.counts["teachers_trained"] = sum(s["status"] == "trained" for s in statuses)
        self.counts["teachers_certified"] = sum(s["status"] == "certified" for s in statuses)
        self.counts["training_records"] = len(records)
        self.counts["teaching_hours"] = len(hours)

    def _training(self, teacher: Teacher, status: str | None, bases: list) -> list[dict]:
        """One to three completed courses; the certified hold a certificate number."""
        near = [b for b in bases if b.region_code == teacher.school.region_code] or bases
        n = 1 if status is None else self.rng.randint(2, 3)
        rows = []
        for i, (course, hours) in enumerate(self.rng.sample(COURSES, n)):
            done = self.today - timedelta(days=self.rng.randint(60, 900))
            base = self.rng.choice(near) if near and self.rng.random() < 0.85 else None
            certified = status == "certified" and i == 0
            rows.append(
                {
                    "teacher_id": teacher.id,
                    "research_base_id": base.id if base else None,
                    "course": course,
                    "hours": hours,
                    "certificate_no": f"NMGYTH{done.year}{teacher.id:05d}" if certified else None,
                    "completed_on": done,
                }
            )
        return rows

    def _hours(self, teacher: Teacher) -> list[dict]:
        """Ordinary and integrated-major hours in the last two terms."""
        year = self.today.year if self.today.month >= 9 else self.today.year - 1
        terms = (f"{year - 1}-{year}-2", f"{year}-{year + 1}-1")
        rows = []
        for term in terms:
            integrated = self.rng.choice((0, 36, 48, 72, 96, 120))
            rows.append(
                {
                    "teacher_id": teacher.id,
                    "term": term,
                    "ordinary_hours": self.rng.randrange(120, 300, 4) - integrated // 2,
                    "integrated_hours": integrated,
                }
            )
        return rows

    def _part_timers(self) -> None:
        """Enterprise masters teaching part time at selected schools (one has left)."""
        enterprises = list(
            db.session.scalars(
                select(Enterprise).where(Enterprise.status == "approved").order_by(Enterprise.id)
            )
        )
        rows = []
        for n, major in enumerate(self.selected_majors[:8]):
            school = major.school
            near = [e for e in enterprises if e.region_code == school.region_code] or enterprises
            rows.append(
                PartTimeTeacher(
                    name=f"{self.rng.choice(data.SURNAMES)}{self.rng.choice(data.GIVEN_CHARS)}",
                    enterprise_id=self.rng.choice(near).id,
                    school_id=school.id,
                    skill_title=self.rng.choice(PART_TIME_TITLES),
                    occupation_code=major.major.occupation_code,
                    since=self.today - timedelta(days=self.rng.randint(120, 1000)),
                    active=n != 3,
                )
            )
        db.session.add_all(rows)
        self.counts["part_time_teachers"] = len(rows)

    # --- evaluations --------------------------------------------------------------------

    def _nominations(self) -> None:
        """Nominations of selected majors: submitted, scored, and one published result."""
        indicators: dict[str, list[Indicator]] = {}
        for ind in db.session.scalars(select(Indicator).where(Indicator.active.is_(True))):
            indicators.setdefault(ind.category, []).append(ind)
        rows = []
        majors = self.selected_majors
        for n, (category, title, status) in enumerate(NOMINATIONS):
            major = majors[n % len(majors)]
            nomination = Nomination(
                category=category,
                school_id=major.school_id,
                school_major_id=major.id,
                title=title.format(major=major.major.name),
                description="演示数据：申报材料为虚构。",
                status="submitted",
            )
            scored = status != "submitted" and indicators.get(category)
            if scored:
                scores = {i.id: self.rng.randint(78, 96) for i in indicators[category]}
                nomination.scores = [
                    NominationScore(indicator_id=i, score=s, scorer_id=self.admin.id)
                    for i, s in scores.items()
                ]
                nomination.total_score = weighted_total(scores, indicators[category])
                nomination.status = status
                if status == "published":
                    nomination.published_at = _at(self.today - timedelta(days=20))
            rows.append(nomination)
        db.session.add_all(rows)
        self.counts["nominations"] = len(rows)
        self.counts["nominations_published"] = sum(r.status == "published" for r in rows)

    def _outcomes(self) -> None:
        """Graduate outcomes of the selected majors for the last two graduating years."""
        year = self.today.year if self.today.month >= 9 else self.today.year - 1
        noticed = {b.id for b in self.batches if b.notice_ends_on and b.notice_ends_on < self.today}
        final = {r.school_major_id for r in self.rows if r.is_selected and r.batch_id in noticed}
        rows = []
        for major in self.selected_majors:
            for y in (year - 1, year):
                cohort = self.rng.randint(28, 45)
                route = self.rng.randint(cohort // 2, cohort - 4) if major.id in final else 0
                exam = self.rng.randint(0, cohort - route)
                employed = self.rng.randint(cohort * 3 // 4, cohort)
                rows.append(
                    GraduateOutcome(
                        school_major_id=major.id,
                        year=y,
                        cohort=cohort,
                        certified_route=route,
                        certified_exam=exam,
                        employed=employed,
                        employed_partner=self.rng.randint(employed // 4, employed // 2),
                    )
                )
        db.session.add_all(rows)
        self.counts["graduate_outcomes"] = len(rows)


# --- examples: the plan names no research base and no indicator weights ---------------------

#: Example teacher research bases (the plan asks for about two; it names none).
EXAMPLE_BASES = (
    ("示例：工学一体化师资研修基地（呼和浩特）", "150100"),
    ("示例：工学一体化师资研修基地（包头）", "150200"),
)
#: Example evaluation indicators and weights (the plan names the categories, not the indicators).
EXAMPLE_INDICATORS = {
    "quality_classroom": (
        ("示例：教学设计", 40),
        ("示例：学习任务实施", 40),
        ("示例：学生评价", 20),
    ),
    "boutique_course": (("示例：课程标准", 30), ("示例：学习资源", 40), ("示例：应用成效", 30)),
    "demonstration_major": (("示例：校企合作", 40), ("示例：师资队伍", 30), ("示例：建设成效", 30)),
}
EXAMPLE_NOTE = "演示示例：实施方案未规定，由自治区自行确定。"


def seed_examples() -> dict[str, int]:
    """The demo's example research bases and indicators, each labelled as an example."""
    from app.reference.models import Region

    created = {"research_bases": 0, "indicators": 0}
    names = set(db.session.scalars(select(ResearchBase.name)))
    for name, region in EXAMPLE_BASES:
        if name not in names and db.session.get(Region, region) is not None:
            db.session.add(ResearchBase(name=name, region_code=region, description=EXAMPLE_NOTE))
            created["research_bases"] += 1
    have = set(db.session.execute(select(Indicator.category, Indicator.name)).tuples())
    for category, items in EXAMPLE_INDICATORS.items():
        for name, weight in items:
            if (category, name) not in have:
                db.session.add(Indicator(category=category, name=name, weight=weight))
                created["indicators"] += 1
    db.session.flush()
    return created

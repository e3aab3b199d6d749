"""Demo teaching resources on top of the demo programme: resource packages with items in every
review state (each reviewed item holds a tiny PDF), a review panel member, venues of the three
kinds with pending and confirmed bookings that never overlap, training programmes with
trainees, certification records and supervision visits. Invented and deterministic."""

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.common import audit
from app.common.models import AuditEvent
from app.common.time import LOCAL_TZ, local_today
from app.cooperation.models import Offer, Pairing
from app.demo import data
from app.extensions import db
from app.programme.models import SELECTED_STATUSES, BatchApplication
from app.registry.models import Enterprise, Host, School, SchoolMajor
from app.resources import storage
from app.resources.models import (
    Booking,
    Certification,
    ResourceFile,
    ResourceItem,
    ResourceReview,
    ReviewPanelMember,
    SupervisionAction,
    SupervisionVisit,
    Trainee,
    TrainingProgramme,
    Venue,
)

SEED = 20250704
MARKER = "demo.resources"
#: Item states cycled over the packages; each reviewed state carries its history.
ITEM_STATES = (
    "approved",
    "approved",
    "under_review",
    "submitted",
    "draft",
    "returned",
    "approved",
    "rejected",
)
ITEMS = (
    ("textbook", "《{major}》一体化教材", "written"),
    ("workbook", "{major}学习任务工作页", "written"),
    ("case_library", "{major}企业典型案例库", "selected"),
    ("courseware", "{major}一体化课程课件", "written"),
    ("video", "{major}操作示范视频", "written"),
)
REVIEW_COMMENTS = {
    "returned": "学习任务与典型工作任务的对应关系需补充说明，请修改后重新提交。",
    "rejected": "内容与已通过审核的教材大量重复，且未注明引用来源。",
    "approve": "结构完整，学习任务来源于企业真实生产，同意通过。",
}
VENUES = (
    ("public_training_base", "region", "150100", "呼和浩特市公共实训基地", 60),
    ("public_training_base", "region", "150200", "包头市公共实训基地", 80),
    ("public_training_base", "region", "150600", "鄂尔多斯市公共实训基地", 50),
    ("public_training_base", "region", "150400", "赤峰市公共实训基地", 40),
)
EQUIPMENT = (
    "数控车床 12 台、加工中心 4 台、三坐标测量机 1 台",
    "工业机器人实训工作站 8 套、PLC 实训台 20 台",
    "新能源汽车实训车 6 辆、动力电池拆装台 10 套",
    "焊接实训工位 24 个、焊接机器人 2 套",
)
PURPOSES = (
    "数控车工一体化课程学习任务实训",
    "工业机器人系统操作技能培训",
    "技能等级认定考前集中训练",
    "教师企业实践集中研修",
    "世界技能大赛选拔集训",
)
TRAINEE_NOTES = ("", "", "班组长推荐", "企业在岗职工")
FINDINGS = (
    "一体化课程实施总体规范；部分学习任务缺少企业真实工作情境，教师企业实践台账不完整。",
    "校企合作协议履行良好；实训设备利用率偏低，兼职教师授课记录需补充。",
    "专业建设按计划推进；一体化教师培训覆盖面不足，课程资源审核材料需归档。",
)
ACTIONS = (
    "补充教师企业实践台账并报盟市人社局备案",
    "完善一体化课程学习任务的企业工作情境描述",
    "制定实训设备共享使用计划",
    "整理兼职教师授课记录",
)


def _tiny_pdf() -> bytes:
    """A minimal valid one-page PDF (correct cross-reference offsets)."""
    objects = (
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>",
    )
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj" % n + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


#: The file written for every demo resource file.
TINY_PDF = _tiny_pdf()


@dataclass
class ResourcesResult:
    """What the resources seed created."""

    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def resources_present() -> bool:
    """True when the demo resources were seeded (their audit marker exists)."""
    return db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == MARKER)) is not None


def seed_resources(today: date | None = None) -> ResourcesResult:
    """Add the demo resources once (flushes, the caller commits); nothing when present or
    when the demo programme is missing."""
    if resources_present():
        return ResourcesResult(created=False)
    admin = db.session.scalar(select(User).where(User.email == data.REGION_ADMIN_EMAIL))
    selected = list(
        db.session.scalars(
            select(SchoolMajor)
            .join(BatchApplication, BatchApplication.school_major_id == SchoolMajor.id)
            .where(BatchApplication.status.in_(SELECTED_STATUSES))
            .order_by(SchoolMajor.id)
            .distinct()
        )
    )
    if admin is None or not selected:
        return ResourcesResult(created=False)
    result = _Builder(today or local_today(), admin, selected).build()
    audit.record(None, MARKER, admin, after=result.counts)
    db.session.flush()
    return result


def _at(day: date, hour: int) -> datetime:
    """hour o'clock Beijing time on day, as UTC."""
    return datetime.combine(day, time(hour), LOCAL_TZ).astimezone(UTC)


class _Builder:
    """One run of the resources seed."""

    def __init__(self, today: date, admin: User, selected: list[SchoolMajor]) -> None:
        self.rng = random.Random(SEED)
        self.today = today
        self.admin = admin
        self.selected = selected
        self.counts: Counter = Counter()
        self.users = {
            e: db.session.scalar(select(User).where(User.email == e))
            for e in (data.SCHOOL_EMAIL, data.ENTERPRISE_EMAIL)
        }
        self.showcase_school = self.users[data.SCHOOL_EMAIL].school
        self.showcase_enterprise = self.users[data.ENTERPRISE_EMAIL].enterprise
        self.league_admins = {
            u.region_code: u
            for u in db.session.scalars(select(User).where(User.role == "league_admin"))
        }
        self.school_staff = {
            u.school_id: u
            for u in db.session.scalars(select(User).where(User.role == "school"))
            if u.school_id
        }
        self.schools = list(
            db.session.scalars(
                select(School).where(School.status == "approved").order_by(School.id)
            )
        )
        self.partners: dict[int, list[Enterprise]] = {}
        stmt = (
            select(Pairing.school_major_id, Enterprise)
            .join(Offer, Offer.id == Pairing.offer_id)
            .join(Host, Host.id == Offer.host_id)
            .join(Enterprise, Enterprise.id == Host.enterprise_id)
            .where(Pairing.status == "active")
            .order_by(Pairing.id)
        )
        for major_id, enterprise in db.session.execute(stmt):
            self.partners.setdefault(major_id, []).append(enterprise)

    def build(self) -> ResourcesResult:
        """Every part in order; returns the counts."""
        self._panel()
        self._packages()
        self._venues()
        self._trainings()
        self._certifications()
        self._supervision()
        db.session.flush()
        return ResourcesResult(created=True, counts=dict(self.counts))

    # --- resource packages --------------------------------------------------------------

    def _panel(self) -> None:
        """The Baotou administrator sits on the review panel beside the region admin."""
        self.reviewer = self.league_admins.get("150200", self.admin)
        db.session.add(
            ReviewPanelMember(
                user_id=self.reviewer.id, appointed_by_id=self.admin.id, note="教材审核专家组"
            )
        )
        self.counts["panel_members"] = 1

    def _packages(self) -> None:
        """Three to five items per selected major, cycling through every review state."""
        n = 0
        items = []
        for major in self.selected:
            staff = self.school_staff.get(major.school_id)
            count = 5 if major.school_id == self.showcase_school.id else self.rng.randint(2, 4)
            for kind, title, origin in ITEMS[:count]:
                status = ITEM_STATES[n % len(ITEM_STATES)]
                n += 1
                item = ResourceItem(
                    school_major_id=major.id,
                    kind=kind,
                    title=title.format(major=major.major.name),
                    origin=origin,
                    authors=f"{major.school.name}{major.major.name}专业教学团队",
                    description="演示数据：依据国家技能人才培养标准和一体化课程标准编写。",
                    share=kind != "textbook" and self.rng.random() < 0.5,
                    status="draft",
                    created_by_id=staff.id if staff else None,
                    partners=self.partners.get(major.id, [])[:1],
                )
                db.session.add(item)
                items.append((item, status, staff))
        db.session.flush()
        files = 0
        for item, status, staff in items:
            if status != "draft":
                self._file(item, staff)
                files += 1
                self._history(item, status, staff)
        self.counts["resource_items"] = len(items)
        self.counts["resource_files"] = files

    def _file(self, item: ResourceItem, staff: User | None) -> None:
        """A tiny PDF on disk (a name derived from the item) and its file row."""
        stored = hashlib.sha256(f"gongxue-demo-resource-{item.id}".encode()).hexdigest()
        storage.path_of(stored).write_bytes(TINY_PDF)
        item.files.append(
            ResourceFile(
                number=1,
                original_name=f"{item.title.strip('《》')}.pdf",
                stored_name=stored,
                file_type="pdf",
                content_type="application/pdf",
                size=len(TINY_PDF),
                sha256=hashlib.sha256(TINY_PDF).hexdigest(),
                uploaded_by_id=staff.id if staff else None,
            )
        )

    def _history(self, item: ResourceItem, status: str, staff: User | None) -> None:
        """Submission, then (unless only submitted) the review and its decision."""
        day = self.today - timedelta(days=self.rng.randint(10, 120))
        steps = [("submit", staff, "draft", "submitted", None)]
        if status != "submitted":
            steps.append(("start", self.reviewer, "submitted", "under_review", None))
        decision = {"approved": "approve", "returned": "revise", "rejected": "reject"}
        if status in decision:
            action = decision[status]
            comment = REVIEW_COMMENTS["approve" if action == "approve" else status]
            steps.append((action, self.reviewer, "under_review", status, comment))
        for i, (action, actor, before, after, comment) in enumerate(steps):
            item.reviews.append(
                ResourceReview(
                    actor_id=actor.id if actor else None,
                    action=action,
                    comment=comment,
                    from_status=before,
                    to_status=after,
                    created_at=_at(day + timedelta(days=3 * i), 10),
                )
            )
        item.status = status
        item.submitted_at = _at(day, 10)
        if status in decision:
            item.decided_at = _at(day + timedelta(days=3 * (len(steps) - 1)), 10)

    # --- venues and bookings ------------------------------------------------------------

    def _venues(self) -> None:
        """Public bases of four leagues, colleges' high-skill bases and enterprise hosts."""
        venues = [
            Venue(
                name=name,
                kind=kind,
                owner_kind=owner,
                region_code=code,
                capacity=capacity,
                equipment=self.rng.choice(EQUIPMENT),
                address=f"{name}实训楼",
                description="面向全区技工院校开放预约。",
            )
            for kind, owner, code, name, capacity in VENUES
        ]
        colleges = [s for s in self.schools if s.kind == "technician_college"][:4]
        for school in colleges:
            venues.append(
                Venue(
                    name=f"{school.name}高技能人才培训基地",
                    kind="high_skill_base",
                    owner_kind="school",
                    school_id=school.id,
                    region_code=school.region_code,
                    capacity=self.rng.choice((30, 40, 50)),
                    equipment=self.rng.choice(EQUIPMENT),
                    address=school.address,
                    description="国家级高技能人才培训基地，节假日可预约。",
                )
            )
        workshops = self._enterprise_workshops()
        for host in workshops:
            venues.append(
                Venue(
                    name=host.name,
                    kind="enterprise_host",
                    owner_kind="enterprise",
                    enterprise_id=host.enterprise_id,
                    host_id=host.id,
                    region_code=host.region_code,
                    capacity=max(host.capacity, 1) * 5,
                    equipment=host.equipment,
                    address=host.enterprise.address,
                    description=host.description,
                )
            )
        db.session.add_all(venues)
        db.session.flush()
        self.counts["venues"] = len(venues)
        self._bookings(venues)

    def _enterprise_workshops(self) -> list[Host]:
        """The demo enterprise's first workshop and workshops of four other enterprises."""
        workshops = list(
            db.session.scalars(
                select(Host)
                .join(Enterprise, Enterprise.id == Host.enterprise_id)
                .where(Host.kind == "workshop", Enterprise.status == "approved")
                .order_by(Host.id)
            )
        )
        showcase = [h for h in workshops if h.enterprise_id == self.showcase_enterprise.id][:1]
        others = [h for h in workshops if h.enterprise_id != self.showcase_enterprise.id]
        return showcase + self.rng.sample(others, 4)

    def _bookings(self, venues: list[Venue]) -> None:
        """Per venue one booking a day on distinct days: past confirmed, upcoming pending or
        confirmed, one declined; the demo school books, the demo enterprise has one to decide."""
        rows = []
        for venue in venues:
            local = [s for s in self.schools if s.region_code == venue.region_code]
            pool = local or self.schools
            days = sorted(self.rng.sample(range(-40, -1), 2)) + sorted(
                self.rng.sample(range(2, 45), 2)
            )
            for n, offset in enumerate(days):
                day = self.today + timedelta(days=offset)
                school = self.rng.choice(pool)
                if venue.enterprise_id == self.showcase_enterprise.id and offset > 0:
                    school = self.showcase_school
                status = "confirmed" if offset < 0 else self.rng.choice(("pending", "confirmed"))
                if venue.enterprise_id == self.showcase_enterprise.id and offset > 0 and n == 3:
                    status = "pending"
                if n == 2 and venue.owner_kind == "region":
                    status = "declined"
                rows.append(self._booking(venue, school, day, status))
        showcase_days = [b for b in rows if b.school_id == self.showcase_school.id]
        if not any(b.status == "pending" for b in showcase_days):
            venue = venues[0]
            day = self.today + timedelta(days=50)
            rows.append(self._booking(venue, self.showcase_school, day, "pending"))
        db.session.add_all(rows)
        db.session.flush()
        self.counts["bookings"] = len(rows)
        for status in ("pending", "confirmed"):
            self.counts[f"bookings_{status}"] = sum(b.status == status for b in rows)

    def _booking(self, venue: Venue, school: School, day: date, status: str) -> Booking:
        start = self.rng.choice((8, 9, 14))
        hours = self.rng.choice((3, 4))
        decided = status in ("confirmed", "declined")
        owner = self._venue_owner(venue)
        return Booking(
            venue_id=venue.id,
            school_id=school.id,
            starts_at=_at(day, start),
            ends_at=_at(day, start + hours),
            purpose=self.rng.choice(PURPOSES),
            headcount=self.rng.randint(1, min(venue.capacity, 40)),
            status=status,
            booked_by_id=getattr(self.school_staff.get(school.id), "id", None),
            decided_by_id=owner.id if decided and owner else None,
            decided_at=_at(day - timedelta(days=7), 10) if decided else None,
            reason="该时段场地设备检修。" if status == "declined" else None,
        )

    def _venue_owner(self, venue: Venue) -> User | None:
        if venue.enterprise_id == self.showcase_enterprise.id:
            return self.users[data.ENTERPRISE_EMAIL]
        if venue.school_id is not None:
            return self.school_staff.get(venue.school_id)
        return self.league_admins.get(venue.region_code, self.admin)

    # --- training programmes ------------------------------------------------------------

    def _trainings(self) -> None:
        """Programmes at the demo enterprise's station and studio and at ten other hosts."""
        hosts = list(
            db.session.scalars(
                select(Host)
                .join(Enterprise, Enterprise.id == Host.enterprise_id)
                .where(
                    Host.kind.in_(("training_station", "master_studio")),
                    Enterprise.status == "approved",
                    Host.retired_at.is_(None),
                )
                .order_by(Host.id)
            )
        )
        own = [h for h in hosts if h.enterprise_id == self.showcase_enterprise.id]
        chosen = own + self.rng.sample([h for h in hosts if h not in own], 10)
        programmes, trainees = [], 0
        for n, host in enumerate(chosen):
            kind = ("apprenticeship", "urgent_occupation", "high_skill")[n % 3]
            if host.kind == "master_studio" and kind == "urgent_occupation":
                kind = "high_skill"
            start = self.today - timedelta(days=self.rng.randint(30, 400))
            months = 18 if kind == "apprenticeship" else self.rng.choice((2, 3, 6))
            occupation = host.occupations[0]
            programme = TrainingProgramme(
                host_id=host.id,
                kind=kind,
                title=f"{occupation.name}{_TRAINING_TITLES[kind]}",
                occupation_code=occupation.code,
                starts_on=start,
                ends_on=start + timedelta(days=30 * months),
                partner_school_id=host.partner_school_id,
                masters=host.master_name or f"{self.rng.choice(data.SURNAMES)}师傅",
                description="演示数据：培训计划与学员名单均为虚构。",
            )
            ended = programme.ends_on < self.today
            for _ in range(self.rng.randint(4, 10)):
                programme.trainees.append(self._trainee(ended))
                trainees += 1
            programmes.append(programme)
        db.session.add_all(programmes)
        self.counts["training_programmes"] = len(programmes)
        self.counts["trainees"] = trainees

    def _trainee(self, ended: bool) -> Trainee:
        """A trainee; once the programme ended most completed or were certified."""
        if ended:
            outcome = self.rng.choices(("completed", "certified", "withdrawn"), (3, 6, 1))[0]
        else:
            outcome = self.rng.choices(("in_training", "withdrawn"), (9, 1))[0]
        level = (
            self.rng.choice(("level_4", "level_3", "level_2")) if outcome == "certified" else None
        )
        name = f"{self.rng.choice(data.SURNAMES)}{''.join(self.rng.choices(data.GIVEN_CHARS, k=2))}"
        return Trainee(
            name=name, outcome=outcome, level=level, note=self.rng.choice(TRAINEE_NOTES) or None
        )

    # --- certification ------------------------------------------------------------------

    def _certifications(self) -> None:
        """Graduates of selected majors certified at their major's level, by the school or by
        a paired enterprise; a few failed."""
        level_of = {"intermediate": "level_4", "advanced": "level_3", "technician": "level_2"}
        rows = []
        for major in self.selected:
            partner = (self.partners.get(major.id) or [None])[0]
            staff = self.school_staff.get(major.school_id)
            for _ in range(self.rng.randint(2, 5)):
                by_enterprise = partner is not None and self.rng.random() < 0.4
                passed = self.rng.random() < 0.88
                day = self.today - timedelta(days=self.rng.randint(20, 500))
                rows.append(
                    Certification(
                        school_major_id=major.id,
                        graduate_name=(
                            f"{self.rng.choice(data.SURNAMES)}"
                            f"{''.join(self.rng.choices(data.GIVEN_CHARS, k=2))}"
                        ),
                        occupation_code=major.major.occupation_code,
                        level=level_of[major.level],
                        outcome="passed" if passed else "failed",
                        certified_on=day,
                        certificate_no=(
                            f"S{day:%Y}15{major.id:04d}{len(rows):05d}" if passed else None
                        ),
                        certifier_kind="enterprise" if by_enterprise else "school",
                        enterprise_id=partner.id if by_enterprise else None,
                        recorded_by_id=staff.id if staff else None,
                    )
                )
        db.session.add_all(rows)
        self.counts["certifications"] = len(rows)

    # --- supervision --------------------------------------------------------------------

    def _supervision(self) -> None:
        """Visits to selected schools (the demo school first) with actions in every state."""
        schools = list(dict.fromkeys(m.school for m in self.selected))[:5]
        visits, states = [], ("open", "answered", "closed")
        n = 0
        for i, school in enumerate(schools):
            admin = self.league_admins.get(school.region_code, self.admin)
            visited = self.today - timedelta(days=30 + 25 * i)
            visit = SupervisionVisit(
                school_id=school.id,
                visited_on=visited,
                findings=FINDINGS[i % len(FINDINGS)],
                recorded_by_id=admin.id,
            )
            staff = self.school_staff.get(school.id)
            for j in range(2 if i else 3):
                status = states[(n + j) % 3]
                due = visited + timedelta(days=20 if i == 0 and j == 0 else 60)
                action = SupervisionAction(
                    description=ACTIONS[(i + j) % len(ACTIONS)], due_on=due, status=status
                )
                if status != "open":
                    action.answer = "已按要求整改，相关材料已上传备查。"
                    action.answered_at = _at(visited + timedelta(days=14), 10)
                    action.answered_by_id = staff.id if staff else None
                if status == "closed":
                    action.closed_at = _at(visited + timedelta(days=18), 10)
                    action.closed_by_id = admin.id
                visit.actions.append(action)
            n += 2
            visits.append(visit)
        db.session.add_all(visits)
        self.counts["supervision_visits"] = len(visits)
        self.counts["supervision_actions"] = sum(len(v.actions) for v in visits)


_TRAINING_TITLES = {
    "apprenticeship": "新型学徒制培训班",
    "urgent_occupation": "紧缺职业（工种）培训班",
    "high_skill": "高技能人才研修班",
}

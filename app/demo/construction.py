"""Demo construction on top of the demo programme: the finally selected majors record their
milestones as far as their stage suggests (assessed and demonstration majors all five, majors
under construction some, newly selected ones none or one), each with a note labelled as demo
data and, for most, a small PDF of evidence. Invented, deterministic, inserted directly."""

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.common import audit
from app.common.models import AuditEvent
from app.common.time import local_today
from app.demo import data
from app.demo.resources import TINY_PDF
from app.extensions import db
from app.programme.models import (
    MILESTONE_KINDS,
    Batch,
    BatchApplication,
    Milestone,
    MilestoneFile,
)
from app.programme.queries import final_selection
from app.resources import storage

SEED = 20251213
MARKER = "demo.construction"
#: How many of the five milestones a major at each stage has recorded (low, high).
DONE_BY_STAGE = {
    "selected": (0, 1),
    "under_construction": (2, 4),
    "assessed": (5, 5),
    "demonstration": (5, 5),
}
NOTES = {
    "curriculum": "演示数据：按国家工学一体化课程标准完成课程设置与学习任务设计。",
    "venue": "演示数据：一体化教学场所改造完成，工位与企业生产现场一致。",
    "teachers_trained": "演示数据：专业教师全部参加一体化师资培训并取得结业证书。",
    "resources_reviewed": "演示数据：教学资源包（工作页、教学案例、课件）通过审核。",
    "first_cohort": "演示数据：首届一体化班学生报到入学。",
}
EVIDENCE = {
    "curriculum": "课程设置方案（演示）.pdf",
    "venue": "教学场所验收记录（演示）.pdf",
    "teachers_trained": "师资培训结业名单（演示）.pdf",
    "resources_reviewed": "资源包审核意见（演示）.pdf",
    "first_cohort": "首届学生名册（演示）.pdf",
}


@dataclass
class ConstructionResult:
    """What the construction seed created."""

    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def construction_present() -> bool:
    """True when the demo construction was seeded (its audit marker exists)."""
    return db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == MARKER)) is not None


def _days(start: date, end: date, n: int, rng: random.Random) -> list[date]:
    """n ordered days between start and end (both included)."""
    span = max((end - start).days, 0)
    return sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(n))


def seed_construction(today: date | None = None) -> ConstructionResult:
    """Add the demo milestones once (flushes, the caller commits); nothing when present or when
    no major is finally selected."""
    if construction_present():
        return ConstructionResult(created=False)
    today = local_today() if today is None else today
    rows = list(
        db.session.execute(
            select(BatchApplication, Batch.notice_ends_on)
            .join(Batch, Batch.id == BatchApplication.batch_id)
            .where(final_selection(today))
            .order_by(BatchApplication.id)
        )
    )
    admin = db.session.scalar(select(User).where(User.email == data.REGION_ADMIN_EMAIL))
    if not rows or admin is None:
        return ConstructionResult(created=False)
    rng = random.Random(SEED)
    members: dict[int, int | None] = {}
    counts = {"milestones": 0, "milestone_files": 0, "majors_all_five": 0}
    for application, notice_end in rows:
        low, high = DONE_BY_STAGE.get(application.status, (0, 0))
        done = rng.randint(low, high)
        if application.school_id not in members:
            members[application.school_id] = db.session.scalar(
                select(User.id).where(
                    User.role == "school", User.school_id == application.school_id
                )
            )
        start = min(notice_end + timedelta(days=7), today)
        for kind, day in zip(MILESTONE_KINDS[:done], _days(start, today, done, rng), strict=True):
            milestone = Milestone(
                application_id=application.id,
                kind=kind,
                achieved_on=day,
                note=NOTES[kind],
                recorded_by_id=members[application.school_id],
            )
            db.session.add(milestone)
            counts["milestones"] += 1
            if rng.random() < 0.8:
                db.session.flush()
                _evidence(milestone, members[application.school_id])
                counts["milestone_files"] += 1
        counts["majors_all_five"] += done == len(MILESTONE_KINDS)
    audit.record(None, MARKER, admin, after=counts)
    db.session.flush()
    return ConstructionResult(created=True, counts=counts)


def _evidence(milestone: Milestone, uploader: int | None) -> None:
    """A tiny PDF on disk (a name derived from the milestone) and its file row."""
    stored = hashlib.sha256(f"gongxue-demo-milestone-{milestone.id}".encode()).hexdigest()[:40]
    storage.path_of(stored).write_bytes(TINY_PDF)
    db.session.add(
        MilestoneFile(
            milestone_id=milestone.id,
            original_name=EVIDENCE[milestone.kind],
            stored_name=stored,
            file_type="pdf",
            content_type="application/pdf",
            size=len(TINY_PDF),
            sha256=hashlib.sha256(TINY_PDF).hexdigest(),
            uploaded_by_id=uploader,
        )
    )

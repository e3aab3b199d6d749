"""Records for the construction tests: finally selected majors and their milestones."""

import hashlib
from datetime import date, timedelta

from app.common.time import utcnow
from app.extensions import db
from app.programme.models import Milestone, MilestoneFile
from app.resources import storage
from tests.programme.factories import make_application, make_batch, make_major, make_phase, today
from tests.resources.factories import PDF, use_temp_uploads


def make_final_selection(school, status: str = "selected", phase=None, batch=None):
    """A major of the school selected in a closed batch whose public notice has ended."""
    if batch is None:
        batch = make_batch(phase or make_phase(), open_=False)
        batch.notice_starts_on = today() - timedelta(days=20)
        batch.notice_ends_on = today() - timedelta(days=13)
        batch.notice_published_at = utcnow()
        db.session.commit()
    return make_application(batch, make_major(school), status)


def make_milestone(application, kind: str, day: date | None = None, file: bool = False):
    """A recorded milestone (inserted directly), optionally with one small PDF of evidence."""
    row = Milestone(
        application_id=application.id, kind=kind, achieved_on=day or today() - timedelta(days=3)
    )
    db.session.add(row)
    db.session.flush()
    if file:
        use_temp_uploads()
        stored = hashlib.sha256(f"evidence-{row.id}-{kind}".encode()).hexdigest()[:40]
        storage.path_of(stored).write_bytes(PDF)
        db.session.add(
            MilestoneFile(
                milestone_id=row.id,
                original_name="验收报告.pdf",
                stored_name=stored,
                file_type="pdf",
                content_type="application/pdf",
                size=len(PDF),
                sha256=hashlib.sha256(PDF).hexdigest(),
            )
        )
    db.session.commit()
    return row

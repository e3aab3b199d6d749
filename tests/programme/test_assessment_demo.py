"""The demo world's assessments: one concluded, one in progress for the demo teacher."""

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.demo import data
from app.extensions import db
from app.programme.assessment import conflict_of, partner_enterprise_ids
from app.programme.models import Assessment


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))


def test_demo_has_a_concluded_and_an_assessment_in_progress(app):
    from app.demo.assessment import seed_assessments

    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    rows = list(db.session.scalars(select(Assessment).order_by(Assessment.id)))
    assert [r.status for r in rows] == ["concluded", "open"]
    done, running = rows
    assert done.result == "passed" and "演示数据" in done.note
    assert done.application.status == "assessed"
    assert done.mean_score >= done.application.batch.demonstration_threshold  # may be advanced
    assert len(done.assessors) == 3 and all(a.submitted_at for a in done.assessors)
    teacher = db.session.scalar(select(User).where(User.email == data.TEACHER_EMAIL))
    seat = running.assessor_of(teacher)
    assert seat is not None and seat.submitted_at is None  # the demo teacher has to score
    assert running.mean_score is None  # two of three have submitted
    for row in rows:
        partners = partner_enterprise_ids(row.application.school_id)
        assert all(
            conflict_of(a.user, row.application.school, partners) is None for a in row.assessors
        )
    assert not seed_assessments().created  # once only

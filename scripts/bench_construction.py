"""Benchmark of the construction figures at national scale: 2,500 schools in 14 leagues, two
finally selected majors each, milestones in every state. Prints the time of the dashboard's
construction figures and of one page (and the count) of the progress list.

    python -m scripts.bench_construction [--schools 2500] [--database-url URL]

Without --database-url it uses an in-memory SQLite database; with a PostgreSQL URL the tables
are created in that (scratch) database and dropped afterwards.
"""

import argparse
import random
import time
from datetime import date, timedelta

from sqlalchemy import func, insert, select, text


def _fill(schools: int) -> dict[str, int]:
    """Bulk-insert the world (reference regions and majors must be loaded)."""
    from app.common.time import utcnow
    from app.extensions import db
    from app.programme.models import (
        MILESTONE_KINDS,
        Batch,
        BatchApplication,
        Milestone,
        Phase,
    )
    from app.reference.models import Major, Region
    from app.registry.models import School, SchoolMajor

    rng = random.Random(13)
    now = utcnow()
    regions = list(db.session.scalars(select(Region.code)))
    majors = list(db.session.scalars(select(Major.id)))
    phase = Phase(number=1, name="第一阶段", starts_on=date(2022, 4, 1), ends_on=date(2023, 7, 31))
    db.session.add(phase)
    db.session.flush()
    batch = Batch(
        phase_id=phase.id,
        name="第一批",
        opens_on=date(2022, 5, 1),
        closes_on=date(2022, 6, 30),
        notice_starts_on=date(2022, 8, 1),
        notice_ends_on=date(2022, 8, 8),
        notice_published_at=now,
    )
    db.session.add(batch)
    db.session.flush()
    stamp = {"created_at": now, "updated_at": now}
    db.session.execute(
        insert(School),
        [
            {
                "name": f"基准技工学校{n:05d}",
                "kind": "technician_college",
                "region_code": regions[n % len(regions)],
                "address": "学院路1号",
                "contact_name": "李四",
                "contact_phone": "0471-6661234",
                "status": "approved",
                **stamp,
            }
            for n in range(schools)
        ],
    )
    school_ids = list(db.session.scalars(select(School.id)))
    db.session.execute(
        insert(SchoolMajor),
        [
            {"school_id": s, "major_id": majors[k], "level": "advanced", "cohort_size": 40, **stamp}
            for s in school_ids
            for k in range(2)
        ],
    )
    pairs = db.session.execute(select(SchoolMajor.id, SchoolMajor.school_id)).all()
    slots: dict[int, int] = {}
    rows = []
    for major_id, school_id in pairs:
        slots[school_id] = slots.get(school_id, 0) + 1
        rows.append(
            {
                "batch_id": batch.id,
                "school_id": school_id,
                "school_major_id": major_id,
                "slot": slots[school_id],
                "status": "under_construction",
                **stamp,
            }
        )
    db.session.execute(insert(BatchApplication), rows)
    applications = list(db.session.scalars(select(BatchApplication.id)))
    milestones = [
        {
            "application_id": a,
            "kind": kind,
            "achieved_on": date(2023, 1, 1) + timedelta(days=i),
            **stamp,
        }
        for a in applications
        for i, kind in enumerate(MILESTONE_KINDS[: rng.randint(0, len(MILESTONE_KINDS))])
    ]
    db.session.execute(insert(Milestone), milestones)
    db.session.commit()
    return {
        "schools": schools,
        "selected_majors": len(applications),
        "milestones": db.session.scalar(select(func.count(Milestone.id))),
    }


def _timed(label: str, fn, repeat: int = 5) -> None:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    print(f"{label}: best of {repeat} {best * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=2500)
    parser.add_argument("--database-url", default="sqlite://")
    parser.add_argument("--analyze", action="store_true", help="PostgreSQL: ANALYZE first")
    args = parser.parse_args()

    from app import create_app
    from app.extensions import db
    from app.programme import construction
    from app.reference.services import load_reference

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": args.database_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        try:
            load_reference()
            db.session.commit()
            started = time.perf_counter()
            sizes = _fill(args.schools)
            print(f"world: {sizes} ({time.perf_counter() - started:.1f}s to insert)")

            class Region:
                role = "region_admin"
                school_id = None
                region_code = None

            if db.engine.dialect.name == "postgresql" and args.analyze:
                db.session.execute(text("ANALYZE"))  # as autovacuum would after a bulk load
                db.session.commit()
            figures = construction.dashboard_figures(None)
            print(f"figures: total {figures['total']}")
            _timed(
                "dashboard construction figures (whole region)",
                lambda: construction.dashboard_figures(None),
            )
            _timed(
                "dashboard construction figures (one league)",
                lambda: construction.dashboard_figures("150100"),
            )
            stmt = construction.progress_list(Region, construction.ConstructionFilters())
            _timed(
                "progress list: count",
                lambda: db.session.scalar(
                    select(func.count()).select_from(stmt.order_by(None).subquery())
                ),
            )
            _timed(
                "progress list: one page of 20", lambda: db.session.execute(stmt.limit(20)).all()
            )
        finally:
            db.session.remove()
            db.drop_all()


if __name__ == "__main__":
    main()

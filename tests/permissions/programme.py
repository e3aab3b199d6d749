"""Permission rows: programme pages (batches, dashboard, teachers, evaluations, imports,
audit log) and their JSON API."""

from app.extensions import db
from app.programme.models import Nomination, Objection
from tests.permissions.common import (
    REGION,
    Row,
    api_login,
    api_only,
    both,
    everyone,
    logged_in,
    only,
)
from tests.programme.factories import (
    make_application,
    make_batch,
    make_indicator,
    make_major,
    make_noticed_batch,
    make_part_timer,
    make_phase,
    make_research_base,
    make_teacher,
)

MEMBERS = {
    "school": 200,
    "school_other": 200,
    "league_admin": 200,
    "league_admin_other": 200,
    "region_admin": 200,
}
ADMINS = {"league_admin": 200, "league_admin_other": 200, "region_admin": 200}
HOHHOT_ADMINS = {"league_admin": 200, "league_admin_other": 404, "region_admin": 200}
HOHHOT_MEMBERS = {"school": 200, "school_other": 404, **HOHHOT_ADMINS}
HOHHOT_MEMBERS_ACTED = {
    "school": 302,
    "school_other": 404,
    "league_admin": 302,
    "league_admin_other": 404,
    "region_admin": 302,
}


def _application(world) -> int:
    return make_application(make_batch(), make_major(world.school)).id


def _noticed(world) -> int:
    return make_noticed_batch(world.school).id


def _selected(world) -> int:
    batch = make_noticed_batch(world.school)
    return batch.id and _first_application(batch)


def _first_application(batch) -> int:
    from sqlalchemy import select

    from app.programme.models import BatchApplication

    return db.session.scalar(
        select(BatchApplication.id).where(BatchApplication.batch_id == batch.id)
    )


def _objection(world) -> int:
    batch = make_noticed_batch(world.school)
    row = Objection(
        batch_id=batch.id, application_id=_first_application(batch), reason="异议", status="open"
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def _teacher(world) -> int:
    return make_teacher(world.school).id


def _part_timer(world) -> int:
    return make_part_timer(world.school, world.enterprise).id


def _nomination(world) -> int:
    row = Nomination(category="quality_classroom", school_id=world.school.id, title="课堂")
    db.session.add(row)
    db.session.commit()
    return row.id


ROWS: dict[str, Row] = {
    "GET programme.dashboard": Row("GET", "/programme/", only(ADMINS)),
    **both("programme.targets", "/programme/targets", only(REGION)),
    "GET programme.batches": Row("GET", "/programme/batches", only(MEMBERS)),
    **both("programme.phase_new", "/programme/phases/new", only(REGION)),
    **both(
        "programme.phase_edit",
        lambda w: f"/programme/phases/{make_phase().id}/edit",
        only(REGION),
    ),
    **both("programme.batch_new", "/programme/batches/new", only(REGION)),
    **both(
        "programme.batch_edit",
        lambda w: f"/programme/batches/{make_batch().id}/edit",
        only(REGION),
    ),
    "GET programme.batch_detail": Row(
        "GET", lambda w: f"/programme/batches/{make_batch().id}", only(MEMBERS)
    ),
    "POST programme.batch_apply": Row(
        "POST",
        lambda w: f"/programme/batches/{make_batch().id}/apply",
        only({"school": 302, "school_other": 302}),
    ),
    "GET programme.applications": Row("GET", "/programme/applications", only(MEMBERS)),
    **both(
        "programme.application_recommend",
        lambda w: f"/programme/applications/{_application(w)}/recommend",
        only(HOHHOT_ADMINS),
    ),
    **both(
        "programme.application_decide",
        lambda w: f"/programme/applications/{_application(w)}/decide",
        only(REGION),
    ),
    "POST programme.batch_notice": Row(
        "POST",
        lambda w: f"/programme/batches/{make_batch().id}/notice",
        only({"region_admin": 302}),
    ),
    "GET programme.notices": Row("GET", "/programme/notices", everyone(200)),
    "GET programme.notice_detail": Row(
        "GET", lambda w: f"/programme/notices/{_noticed(w)}", everyone(200)
    ),
    "POST programme.notice_object": Row(
        "POST", lambda w: f"/programme/notices/{_noticed(w)}/objections", logged_in(422)
    ),
    "GET programme.objections": Row("GET", "/programme/objections", only(ADMINS)),
    **both(
        "programme.objection_answer",
        lambda w: f"/programme/objections/{_objection(w)}/answer",
        only(REGION),
    ),
    **both(
        "programme.batch_exception",
        lambda w: f"/programme/batches/{make_batch().id}/exception",
        only(REGION),
    ),
    "POST programme.application_advance": Row(
        "POST",
        lambda w: f"/programme/applications/{_application(w)}/advance",
        only({"league_admin": 302, "league_admin_other": 404, "region_admin": 302}),
    ),
    "POST programme.application_withdraw": Row(
        "POST",
        lambda w: f"/programme/applications/{_application(w)}/withdraw",
        only({"school": 302, "school_other": 404}),
    ),
    "GET programme.outcomes": Row("GET", "/programme/outcomes", only(MEMBERS)),
    **both(
        "programme.outcome_new",
        "/programme/outcomes/new",
        only({"school": 200, "school_other": 200}),
    ),
    "GET programme.integrated_majors": Row("GET", "/programme/majors", only(ADMINS)),
    "GET programme.placements": Row("GET", "/programme/placements", only(ADMINS)),
    "GET programme.teachers": Row("GET", "/programme/teachers", only(MEMBERS)),
    "GET programme.teacher_detail": Row(
        "GET",
        lambda w: f"/programme/teachers/{_teacher(w)}",
        only({"school": 200, "school_other": 404, **HOHHOT_ADMINS}),
    ),
    "POST programme.teacher_training": Row(
        "POST", lambda w: f"/programme/teachers/{_teacher(w)}/training", only(HOHHOT_ADMINS)
    ),
    "POST programme.teacher_status": Row(
        "POST", lambda w: f"/programme/teachers/{_teacher(w)}/status", only(HOHHOT_ADMINS)
    ),
    "POST programme.teacher_hours": Row(
        "POST",
        lambda w: f"/programme/teachers/{_teacher(w)}/hours",
        only({"school": 200, "school_other": 404, **HOHHOT_ADMINS}),
    ),
    "GET programme.workload": Row("GET", "/programme/workload", only(MEMBERS)),
    "GET programme.research_bases": Row("GET", "/programme/research-bases", only(ADMINS)),
    **both("programme.research_base_new", "/programme/research-bases/new", only(REGION)),
    **both(
        "programme.research_base_edit",
        lambda w: f"/programme/research-bases/{make_research_base().id}/edit",
        only(REGION),
        only({"region_admin": 302}),  # an empty POST keeps the record's values and saves
    ),
    "POST programme.research_base_retire": Row(
        "POST",
        lambda w: f"/programme/research-bases/{make_research_base().id}/retire",
        only({"region_admin": 302}),
    ),
    "GET programme.part_timers": Row("GET", "/programme/part-time-teachers", only(MEMBERS)),
    **both("programme.part_timer_new", "/programme/part-time-teachers/new", only(MEMBERS)),
    **both(
        "programme.part_timer_edit",
        lambda w: f"/programme/part-time-teachers/{_part_timer(w)}/edit",
        only(HOHHOT_MEMBERS),
    ),
    "POST programme.part_timer_retire": Row(
        "POST",
        lambda w: f"/programme/part-time-teachers/{_part_timer(w)}/retire",
        only(HOHHOT_MEMBERS_ACTED),
    ),
    "GET programme.nominations": Row("GET", "/programme/nominations", only(MEMBERS)),
    **both(
        "programme.nomination_new",
        "/programme/nominations/new",
        only({"school": 200, "school_other": 200}),
    ),
    **both(
        "programme.nomination_score",
        lambda w: f"/programme/nominations/{_nomination(w)}/score",
        only(REGION),
    ),
    "POST programme.nomination_publish": Row(
        "POST",
        lambda w: f"/programme/nominations/{_nomination(w)}/publish",
        only({"region_admin": 302}),
    ),
    "GET programme.indicators": Row("GET", "/programme/indicators", only(REGION)),
    **both("programme.indicator_new", "/programme/indicators/new", only(REGION)),
    **both(
        "programme.indicator_edit",
        lambda w: f"/programme/indicators/{make_indicator().id}/edit",
        only(REGION),
    ),
    "POST programme.indicator_retire": Row(
        "POST",
        lambda w: f"/programme/indicators/{make_indicator().id}/retire",
        only({"region_admin": 302}),
    ),
    **both("programme.import_data", "/programme/import/schools", only(ADMINS)),
    "GET programme.import_template": Row(
        "GET", "/programme/import/teachers/template", only(ADMINS)
    ),
    "GET programme.audit_log": Row("GET", "/programme/audit", only(REGION)),
    # JSON API
    "GET api.batch_list": Row("GET", "/api/v1/batches", api_only(MEMBERS)),
    "POST api.create_batch": Row("POST", "/api/v1/batches", api_only({"region_admin": 400})),
    "GET api.batch_applications": Row(
        "GET", lambda w: f"/api/v1/batches/{make_batch().id}/applications", api_only(MEMBERS)
    ),
    "POST api.apply_to_batch": Row(
        "POST",
        lambda w: f"/api/v1/batches/{make_batch().id}/applications",
        api_only({"school": 400, "school_other": 400}),
    ),
    "GET api.batch_application_list": Row("GET", "/api/v1/batch-applications", api_only(MEMBERS)),
    "POST api.recommend_application": Row(
        "POST",
        lambda w: f"/api/v1/batch-applications/{_application(w)}/recommend",
        api_only({"league_admin": 400, "league_admin_other": 404, "region_admin": 400}),
    ),
    "POST api.decide_application": Row(
        "POST",
        lambda w: f"/api/v1/batch-applications/{_application(w)}/decision",
        api_only({"league_admin": 403, "league_admin_other": 404, "region_admin": 400}),
    ),
    "POST api.publish_notice": Row(
        "POST",
        lambda w: f"/api/v1/batches/{make_batch().id}/notice",
        api_only({"region_admin": 400}),
    ),
    "POST api.lodge_objection": Row(
        "POST",
        lambda w: f"/api/v1/batch-applications/{_selected(w)}/objections",
        api_login(400),
    ),
    "POST api.answer_objection": Row(
        "POST",
        lambda w: f"/api/v1/objections/{_objection(w)}/answer",
        api_only({"region_admin": 400}),
    ),
    "POST api.advance_application": Row(
        "POST",
        lambda w: f"/api/v1/batch-applications/{_application(w)}/advance",
        api_only({"league_admin": 409, "league_admin_other": 404, "region_admin": 409}),
    ),
    "GET api.dashboard": Row("GET", "/api/v1/dashboard", api_only(ADMINS)),
    "GET api.audit": Row("GET", "/api/v1/audit", api_only(REGION)),
}

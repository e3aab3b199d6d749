"""Construction of selected integrated majors: who records and who sees milestones, only finally
selected majors, the Beijing-day rule, evidence files (type, size, access), the audit trail,
notifications, the progress list and its export, and the dashboard's figures."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.common.models import AuditEvent
from app.extensions import db
from app.notifications.models import Notification
from app.programme import construction
from app.programme.models import MILESTONE_KINDS, Milestone, MilestoneFile, Objection
from tests.helpers import BAOTOU, bearer, login_en, make_school, make_user, token_for
from tests.programme.construction_factories import make_final_selection, make_milestone
from tests.programme.factories import (
    make_application,
    make_batch,
    make_major,
    make_noticed_batch,
    make_phase,
    today,
)
from tests.resources.factories import PDF

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def uploads(app, tmp_path, monkeypatch):
    """Evidence goes to a temporary folder; documents up to 1 MB."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "UPLOAD_MAX_DOCUMENT_MB", 1)
    return tmp_path / "uploads" / "resources"


def _record(client, token, application_id, **body):
    body = {"kind": "curriculum", "achieved_on": today().isoformat(), **body}
    return client.post(
        f"/api/v1/batch-applications/{application_id}/milestones?lang=en",
        json=body,
        headers=bearer(token),
    )


def _upload(client, token, application_id, files, **fields):
    data = {"kind": "venue", "achieved_on": today().isoformat(), **fields}
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(
        f"/api/v1/batch-applications/{application_id}/milestones?lang=en",
        data=data,
        headers=bearer(token),
        content_type="multipart/form-data",
    )


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- who records, who sees ----------------------------------------------------------------

RECORDERS = {
    "school": 201,
    "school_staff": 201,
    "school_other": 404,
    "teacher": 403,
    "enterprise": 403,
    "league_admin": 403,
    "league_admin_other": 403,
    "region_admin": 403,
}


@pytest.mark.parametrize(("actor", "status"), RECORDERS.items())
def test_only_members_of_the_majors_school_record(client, world, actor, status):
    application = make_final_selection(world.school)
    response = _record(client, token_for(client, world.users[actor]), application.id)
    assert response.status_code == status, response.get_json()
    rows = db.session.scalars(select(Milestone)).all()
    if status == 201:
        assert [(m.kind, m.recorded_by_id) for m in rows] == [("curriculum", world.users[actor].id)]
        assert response.get_json()["done"] == 1
    else:
        assert rows == []


VIEWERS = {
    "school": 200,
    "school_staff": 200,
    "school_other": 404,
    "teacher": 403,
    "enterprise": 403,
    "league_admin": 200,
    "league_admin_other": 404,
    "region_admin": 200,
}


@pytest.mark.parametrize(("actor", "status"), VIEWERS.items())
def test_who_sees_a_majors_milestones(client, world, actor, status):
    application = make_final_selection(world.school)
    make_milestone(application, "venue", date(2025, 3, 1))
    token = token_for(client, world.users[actor])
    response = client.get(
        f"/api/v1/batch-applications/{application.id}/milestones", headers=bearer(token)
    )
    assert response.status_code == status
    if status == 200:
        body = response.get_json()
        assert (body["done"], body["total"]) == (1, 5)
        venue = next(m for m in body["milestones"] if m["kind"] == "venue")
        assert (venue["done"], venue["achieved_on"]) == (True, "2025-03-01")
        assert [m["kind"] for m in body["milestones"]] == list(MILESTONE_KINDS)


def test_the_list_is_scoped_by_school_and_league(client, world):
    own = make_final_selection(world.school)
    baotou = make_final_selection(world.other_school)
    third = make_final_selection(make_school(region_code=BAOTOU))
    expected = {
        "school": {own.id},
        "school_other": {baotou.id},
        "league_admin": {own.id},
        "league_admin_other": {baotou.id, third.id},
        "region_admin": {own.id, baotou.id, third.id},
    }
    for actor, ids in expected.items():
        token = token_for(client, world.users[actor])
        body = client.get("/api/v1/construction", headers=bearer(token)).get_json()
        assert {r["application_id"] for r in body["items"]} == ids, actor
        assert body["total"] == len(ids)


# --- only finally selected majors --------------------------------------------------------


def _objected(world):
    batch = make_noticed_batch(world.school, ended=True)
    application = batch and make_final_selection(world.school, batch=batch)
    db.session.add(
        Objection(batch_id=batch.id, application_id=application.id, reason="异议", status="open")
    )
    db.session.commit()
    return application


NOT_FINAL = {
    "submitted": lambda w: make_application(make_batch(), make_major(w.school)),
    "recommended": lambda w: make_application(make_batch(), make_major(w.school), "recommended"),
    "rejected": lambda w: make_final_selection(w.school, status="rejected"),
    "withdrawn": lambda w: make_final_selection(w.school, status="withdrawn"),
    "notice running": lambda w: make_application(
        make_noticed_batch(w.school), make_major(w.school), "selected"
    ),
    "objection open": _objected,
}


@pytest.mark.parametrize("case", NOT_FINAL)
def test_only_a_finally_selected_major_takes_milestones(client, world, case):
    application = NOT_FINAL[case](world)
    response = _record(client, token_for(client, world.users["school"]), application.id)
    assert response.status_code == 409
    assert "Only a finally selected integrated major" in response.get_json()["error"]["message"]
    assert _count(Milestone) == 0


def test_every_construction_stage_takes_milestones(client, world):
    token = token_for(client, world.users["school"])
    for stage in ("selected", "under_construction", "assessed", "demonstration"):
        application = make_final_selection(world.school, status=stage)
        assert _record(client, token, application.id).status_code == 201, stage
    assert _count(Milestone) == 4


def test_the_page_explains_why_a_major_not_final_takes_no_milestone(client, world):
    application = make_application(make_noticed_batch(world.school), make_major(world.school))
    login_en(client, world.users["school"])
    page = client.get(f"/programme/construction/{application.id}").get_data(as_text=True)
    assert "Only a finally selected integrated major records construction milestones" in page
    assert 'id="record"' not in page
    response = client.post(
        f"/programme/construction/{application.id}/milestones",
        data={"kind": "venue", "achieved_on": today().isoformat()},
    )
    assert response.status_code == 409
    assert _count(Milestone) == 0


# --- dates --------------------------------------------------------------------------------


def test_the_day_follows_the_beijing_clock_and_is_never_in_the_future(client, world):
    # 17:30 UTC on 1 March is 01:30 on 2 March in Beijing: the 2nd is today, the 3rd is not.
    with time_machine.travel(datetime(2026, 3, 1, 17, 30, tzinfo=UTC), tick=False):
        application = make_final_selection(world.school)
        token = token_for(client, world.users["school"])
        refused = _record(client, token, application.id, achieved_on="2026-03-03")
        assert refused.status_code == 422
        assert "future" in refused.get_json()["error"]["fields"]["achieved_on"]
        assert _count(Milestone) == 0
        accepted = _record(client, token, application.id, achieved_on="2026-03-02")
        assert accepted.status_code == 201, accepted.get_json()
    assert db.session.scalar(select(Milestone.achieved_on)) == date(2026, 3, 2)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"achieved_on": "2026-13-01"}, "achieved_on"),
        ({"achieved_on": "yesterday"}, "achieved_on"),
        ({"achieved_on": None}, "achieved_on"),
        ({"achieved_on": 20250101}, "achieved_on"),
        ({"achieved_on": "1999-12-31"}, "achieved_on"),
        ({"kind": "opening_ceremony"}, "kind"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_bad_values_are_refused_naming_the_field(client, world, body, field):
    application = make_final_selection(world.school)
    response = _record(client, token_for(client, world.users["school"]), application.id, **body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert _count(Milestone) == 0


def test_the_form_shows_the_date_error_next_to_the_field(client, world):
    application = make_final_selection(world.school)
    login_en(client, world.users["school"])
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = client.post(
        f"/programme/construction/{application.id}/milestones",
        data={"kind": "venue", "achieved_on": tomorrow},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field_html = html[html.index('id="achieved_on"') :]
    assert 'class="field-error"' in field_html[:600]
    assert "The day cannot be in the future (Beijing time)." in field_html[:600]
    assert _count(Milestone) == 0


# --- recording, correcting, the audit trail and notifications -----------------------------


def test_recording_and_correcting_are_audited_with_actor_action_and_target(client, world):
    application = make_final_selection(world.school)
    user = world.users["school_staff"]
    token = token_for(client, user)
    assert _record(client, token, application.id, note="初稿").status_code == 201
    milestone = db.session.scalars(select(Milestone)).one()
    again = _record(client, token, application.id, achieved_on="2025-01-02", note="更正")
    assert again.status_code == 200
    assert _count(Milestone) == 1
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("milestone.%")).order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_email, e.action, e.target_type, e.target_id) for e in events] == [
        (user.email, "milestone.record", "Milestone", str(milestone.id)),
        (user.email, "milestone.update", "Milestone", str(milestone.id)),
    ]
    assert events[0].after["kind"] == "curriculum"
    assert events[0].after["application_id"] == application.id
    assert events[0].region_code == world.school.region_code
    assert events[1].before["note"] == "初稿"
    assert (events[1].after["achieved_on"], events[1].after["note"]) == ("2025-01-02", "更正")


def test_the_leagues_administrators_are_notified_of_a_new_milestone(client, world):
    application = make_final_selection(world.school)
    second = make_user("league_admin", region_code=world.school.region_code)
    token = token_for(client, world.users["school"])
    assert _record(client, token, application.id).status_code == 201
    assert _record(client, token, application.id, note="更正").status_code == 200
    rows = db.session.scalars(
        select(Notification).where(Notification.kind == "milestone_recorded")
    ).all()
    assert sorted(r.user_id for r in rows) == sorted([world.users["league_admin"].id, second.id])
    assert rows[0].params["school"] == world.school.name
    assert rows[0].link == f"/programme/construction/{application.id}"


# --- evidence files -----------------------------------------------------------------------


def test_several_evidence_files_are_stored_and_audited(client, world, uploads):
    application = make_final_selection(world.school)
    token = token_for(client, world.users["school"])
    response = _upload(client, token, application.id, [("验收.pdf", PDF), ("现场.png", PNG)])
    assert response.status_code == 201, response.get_json()
    venue = next(m for m in response.get_json()["milestones"] if m["kind"] == "venue")
    assert [f["name"] for f in venue["files"]] == ["验收.pdf", "现场.png"]
    assert len(list(uploads.iterdir())) == 2
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "milestone.evidence")
    ).all()
    assert sorted(e.after["name"] for e in events) == ["现场.png", "验收.pdf"]
    assert {e.actor_email for e in events} == {world.users["school"].email}
    # Recording the milestone again adds files to its evidence.
    assert _upload(client, token, application.id, [("补充.pdf", PDF)]).status_code == 200
    assert _count(MilestoneFile) == 3


@pytest.mark.parametrize(
    ("name", "content", "status"),
    [
        ("setup.exe", b"MZ" + b"\x00" * 100, 422),
        ("报告.pdf", PNG, 422),
        ("空.pdf", b"", 422),
        ("大.pdf", PDF + b"\x00" * (1024 * 1024), 413),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_half_saved(
    client, world, uploads, name, content, status
):
    application = make_final_selection(world.school)
    token = token_for(client, world.users["school"])
    response = _upload(client, token, application.id, [("好的.pdf", PDF), (name, content)])
    assert response.status_code == status
    if status == 422:
        assert "files" in response.get_json()["error"]["fields"]
    assert _count(Milestone) == 0 and _count(MilestoneFile) == 0
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_at_most_ten_files_per_milestone(client, world):
    application = make_final_selection(world.school)
    token = token_for(client, world.users["school"])
    files = [(f"{n}.pdf", PDF) for n in range(construction.MAX_FILES_PER_MILESTONE + 1)]
    response = _upload(client, token, application.id, files)
    assert response.status_code == 422
    assert "files" in response.get_json()["error"]["fields"]
    assert _count(MilestoneFile) == 0


def test_evidence_goes_only_to_those_who_may_see_the_major(client, world):
    own = make_final_selection(world.school)
    own_file = make_milestone(own, "venue", file=True).files[0]
    other = make_final_selection(world.other_school)
    other_file = make_milestone(other, "venue", file=True).files[0]
    school = token_for(client, world.users["school"])
    url = f"/api/v1/batch-applications/{own.id}/milestones/files/{own_file.id}"
    response = client.get(url, headers=bearer(school))
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Another school guessing ids: its own major's URL with the other file id, or the other
    # major's URL, never gives the bytes.
    guesses = [
        f"/api/v1/batch-applications/{own.id}/milestones/files/{other_file.id}",
        f"/api/v1/batch-applications/{other.id}/milestones/files/{other_file.id}",
    ]
    for guess in guesses:
        assert client.get(guess, headers=bearer(school)).status_code == 404
    login_en(client, world.users["school_other"])
    page = client.get(f"/programme/construction/{own.id}/files/{own_file.id}")
    assert page.status_code == 404 and PDF not in page.data
    page = client.get(f"/programme/construction/{other.id}/files/{own_file.id}")
    assert page.status_code == 404
    assert client.get(f"/programme/construction/{other.id}/files/{other_file.id}").data == PDF
    login_en(client, world.users["league_admin_other"])
    assert client.get(f"/programme/construction/{own.id}/files/{own_file.id}").status_code == 404


def test_the_page_records_a_milestone_with_files(client, world, uploads):
    application = make_final_selection(world.school)
    login_en(client, world.users["school"])
    page = client.get(f"/programme/construction/{application.id}?kind=teachers_trained")
    html = page.get_data(as_text=True)
    assert 'id="record"' in html and 'selected value="teachers_trained"' in html
    response = client.post(
        f"/programme/construction/{application.id}/milestones",
        data={
            "kind": "teachers_trained",
            "achieved_on": today().isoformat(),
            "note": "全员结业",
            "files": [(io.BytesIO(PDF), "结业名单.pdf"), (io.BytesIO(PNG), "合影.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Recorded: Teacher training completed." in html
    assert "全员结业" in html and "结业名单.pdf" in html and "合影.png" in html
    assert 'id="progress-count">1/5<' in html
    # The league administrator reads the same page without the form.
    login_en(client, world.users["league_admin"])
    html = client.get(f"/programme/construction/{application.id}").get_data(as_text=True)
    assert "结业名单.pdf" in html and 'id="record"' not in html


# --- the progress list and its export ----------------------------------------------------


def _list_world(world):
    """Hohhot: one major with all five milestones, one with two; Baotou: one with none."""
    phase1, phase2 = make_phase(1), make_phase(2)
    full = make_final_selection(world.school, status="assessed", phase=phase1)
    for n, kind in enumerate(MILESTONE_KINDS):
        make_milestone(full, kind, date(2025, 1, 1 + n))
    half = make_final_selection(world.school, status="under_construction", phase=phase2)
    make_milestone(half, "curriculum", date(2025, 2, 1))
    make_milestone(half, "first_cohort", date(2025, 9, 1))
    none = make_final_selection(world.other_school, phase=phase1)
    return full, half, none


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ("full", "half", "none")),
        ("progress=complete", ("full",)),
        ("progress=partial", ("half",)),
        ("progress=none", ("none",)),
        ("status=under_construction", ("half",)),
        ("region_code=150200", ("none",)),
        ("phase={phase2}", ("half",)),
        ("batch={half_batch}", ("half",)),
    ],
)
def test_the_list_filters(client, world, query, expected):
    rows = dict(zip(("full", "half", "none"), _list_world(world), strict=True))
    query = query.format(phase2=make_phase(2).id, half_batch=rows["half"].batch_id)
    login_en(client, world.users["region_admin"])
    html = client.get(f"/programme/construction?{query}").get_data(as_text=True)
    shown = {name for name, a in rows.items() if f'data-application="{a.id}"' in html}
    assert shown == set(expected)


def test_the_list_shows_progress_for_each_major(client, world):
    full, half, none = _list_world(world)
    login_en(client, world.users["league_admin"])
    html = client.get("/programme/construction").get_data(as_text=True)
    assert f'data-application="{full.id}" data-done="5"' in html
    assert f'data-application="{half.id}" data-done="2"' in html
    assert f'data-application="{none.id}"' not in html  # Baotou's, not this league's


def test_the_export_holds_every_row_with_the_day_of_each_milestone(client, world):
    full, half, none = _list_world(world)
    login_en(client, world.users["region_admin"])
    response = client.get("/programme/construction?format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, body = rows[0], {int(r[0]): r for r in rows[1:]}
    assert header[7:] == [
        "Milestones done",
        "Curriculum built to the national standard",
        "Integrated teaching venue ready",
        "Teacher training completed",
        "Teaching resource package reviewed",
        "First cohort enrolled",
    ]
    assert set(body) == {full.id, half.id, none.id}
    assert body[full.id][7:] == ["5", "2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04",
                                 "2025-01-05"]  # fmt: skip
    assert body[half.id][7:] == ["2", "2025-02-01", "", "", "", "2025-09-01"]
    assert body[none.id][7:] == ["0", "", "", "", "", ""]
    assert body[half.id][3] == world.school.name and body[half.id][6] == "Under construction"
    xlsx = client.get("/programme/construction?format=xlsx&progress=complete")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2 and values[1][0] == full.id and values[1][7] == 5
    # The API exports the same rows for a league administrator's league only.
    token = token_for(client, world.users["league_admin"])
    api = client.get("/api/v1/construction?format=csv", headers=bearer(token))
    ids = {int(r[0]) for r in list(csv.reader(io.StringIO(api.get_data(as_text=True))))[1:]}
    assert ids == {full.id, half.id}


# --- the dashboard ------------------------------------------------------------------------


def _dashboard_world(world):
    """The list world, plus rows that must not count: a selection whose notice still runs
    (with a milestone inserted directly) and a rejected application."""
    full, half, none = _list_world(world)
    running = make_application(make_noticed_batch(world.school), make_major(world.school))
    db.session.add(Milestone(application_id=running.id, kind="venue", achieved_on=today()))
    make_final_selection(world.school, status="rejected")
    db.session.commit()
    return full, half, none


def test_dashboard_counts_construction_by_league_and_phase(client, world):
    _dashboard_world(world)
    token = token_for(client, world.users["region_admin"])
    figures = client.get("/api/v1/dashboard", headers=bearer(token)).get_json()["construction"]
    assert figures["total"] == {"majors": 3, "milestones": 7, "complete": 1, "percent": 46.7}
    leagues = {r["region_code"]: r for r in figures["by_league"]}
    hohhot, baotou = leagues[world.school.region_code], leagues[BAOTOU]
    assert (hohhot["majors"], hohhot["milestones"], hohhot["complete"]) == (2, 7, 1)
    assert (baotou["majors"], baotou["milestones"], baotou["complete"]) == (1, 0, 0)
    phases = {r["number"]: r for r in figures["by_phase"]}
    assert (phases[1]["majors"], phases[1]["milestones"], phases[1]["complete"]) == (2, 5, 1)
    assert (phases[2]["majors"], phases[2]["milestones"], phases[2]["complete"]) == (1, 2, 0)
    # A league administrator's figures cover its league only.
    token = token_for(client, world.users["league_admin_other"])
    figures = client.get("/api/v1/dashboard", headers=bearer(token)).get_json()["construction"]
    assert figures["total"] == {"majors": 1, "milestones": 0, "complete": 0, "percent": 0.0}
    assert [r["region_code"] for r in figures["by_league"]] == [BAOTOU]


def test_dashboard_page_shows_the_construction_tables(client, world):
    _dashboard_world(world)
    login_en(client, world.users["region_admin"])
    html = client.get("/programme/").get_data(as_text=True)
    table = html[html.index('id="construction-league-table"') :]
    table = table[: table.index("</table>")]
    row = table[table.index(f'data-region="{world.school.region_code}"') :]
    assert ">2</a></td>" in row[:400] and "7 / 10" in row[:400]
    assert 'data-region="total"' in table and "7 / 15 (46.7%)" in table
    phase_table = html[html.index('id="construction-phase-table"') :]
    assert "5 / 10" in phase_table[: phase_table.index("</table>")]


def test_dashboard_figures_take_a_fixed_number_of_queries(app, world):
    """Grouped queries only: the count does not grow with the number of selected majors."""
    from sqlalchemy import event

    def queries() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            construction.dashboard_figures(None)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    make_final_selection(world.school)
    few = queries()
    for _ in range(6):
        application = make_final_selection(world.school)
        make_milestone(application, "venue")
    assert queries() == few


# --- the demo ----------------------------------------------------------------------------


def test_demo_seed_shows_selected_majors_with_milestones(app, client):
    from app.auth.models import User
    from app.demo import data
    from app.demo.construction import NOTES
    from app.programme.models import Batch, BatchApplication
    from app.programme.queries import final_selection

    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    final = db.session.scalar(
        select(func.count(BatchApplication.id))
        .join(Batch, Batch.id == BatchApplication.batch_id)
        .where(final_selection())
    )
    assert final >= 5
    milestones = db.session.scalars(select(Milestone)).all()
    assert milestones and all(m.note == NOTES[m.kind] for m in milestones)
    assert all(m.note.startswith("演示数据") for m in milestones)
    figures = construction.dashboard_figures(None)
    assert figures["total"]["majors"] == final
    assert figures["total"]["complete"] >= 1
    assert 0 < figures["total"]["milestones"] < final * 5
    school = db.session.scalar(select(User).where(User.email == data.SCHOOL_EMAIL))
    login_en(client, school, data.DEMO_PASSWORD)
    html = client.get("/programme/construction").get_data(as_text=True)
    assert html.count("data-application=") >= 2

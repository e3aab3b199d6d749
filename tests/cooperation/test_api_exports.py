"""?format=csv|xlsx on the cooperation lists of the API: every row the caller may see, as a file."""

import csv
import io

from openpyxl import load_workbook

from tests.api.support import API, auth
from tests.cooperation import factories as f


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_teachers_export_the_school_s_teachers_only(client, world):
    mine = [f.make_teacher(world.school, name=f"=本校教师{i}") for i in range(3)]
    f.make_teacher(world.other_school, name="外校教师")
    headers = auth(client, world.users["school"])
    rows = _csv(client.get(f"{API}/teachers?format=csv&per_page=1", headers=headers))
    assert rows[0][:2] == ["Id", "Name"]
    assert sorted(r[1] for r in rows[1:]) == sorted(f"'{t.name}" for t in mine)
    response = client.get(f"{API}/teachers?format=xlsx", headers=headers)
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.max_row == 4
    assert client.get(f"{API}/teachers?format=pdf", headers=headers).status_code == 400
    assert "items" in client.get(f"{API}/teachers", headers=headers).get_json()


def test_applications_export_what_the_role_follows(client, world):
    placement = f.make_placement(world.host)
    teacher = f.make_teacher(world.school, name="申请教师")
    application = f.make_application(teacher, [placement])
    f.make_application(f.make_teacher(world.other_school, name="外校"), [placement])
    rows = _csv(
        client.get(f"{API}/applications?format=csv", headers=auth(client, world.users["school"]))
    )
    assert [r[:2] for r in rows[1:]] == [[str(application.id), "申请教师"]]


def test_practice_compliance_exports_the_administrator_s_scope(client, world):
    behind = f.make_teacher(world.school, name="呼市教师")
    f.make_teacher(world.other_school, name="包头教师")
    rows = _csv(
        client.get(
            f"{API}/practice-compliance?format=csv",
            headers=auth(client, world.users["league_admin"]),
        )
    )
    assert rows[0] == ["Id", "Name", "School", "Days of practice"]
    assert [r[:2] for r in rows[1:]] == [[str(behind.id), "呼市教师"]]
    rows = _csv(
        client.get(
            f"{API}/practice-compliance?format=csv",
            headers=auth(client, world.users["region_admin"]),
        )
    )
    assert len(rows) == 3

"""Imports from .xlsx: all rows or none, a row-by-row report, refused uploads."""

import io
import zipfile

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.registry.models import Enterprise, School, Teacher
from tests.helpers import fake_uscc, login_en


def _xlsx(rows: list[list]) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["header"] * 9)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def _enterprise_row(name: str, **kw) -> list:
    row = {
        "name": name,
        "uscc": fake_uscc(),
        "industry": "C",
        "region_code": "150100",
        "address": "路1号",
        "contact_name": "王",
        "contact_phone": "13912345678",
        "size_band": "",
        "description": "",
    }
    row.update(kw)
    return list(row.values())


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _upload(client, kind: str, data, name: str = "data.xlsx"):
    return client.post(
        f"/programme/import/{kind}",
        data={"file": (data, name)},
        content_type="multipart/form-data",
    )


def test_template_downloads(client, world):
    login_en(client, world.users["region_admin"])
    response = client.get("/programme/import/schools/template")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    header = next(load_workbook(io.BytesIO(response.get_data())).active.iter_rows(values_only=True))
    assert header[0].startswith("name")


def test_good_file_saves_every_row(client, world):
    login_en(client, world.users["region_admin"])
    before = _count(Enterprise)
    response = _upload(
        client, "enterprises", _xlsx([_enterprise_row("导入甲"), _enterprise_row("导入乙")])
    )
    assert response.status_code == 302
    assert _count(Enterprise) == before + 2
    saved = db.session.scalar(select(Enterprise).where(Enterprise.name == "导入甲"))
    assert saved.status == "approved"


def test_one_bad_row_aborts_the_whole_import(client, world):
    login_en(client, world.users["region_admin"])
    before = _count(Enterprise)
    rows = [
        _enterprise_row("好行"),
        _enterprise_row("坏行", contact_phone="123"),
        _enterprise_row("又一好行"),
    ]
    response = _upload(client, "enterprises", _xlsx(rows))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was saved" in page
    assert "<td>3</td><td>contact_phone</td>" in page
    assert _count(Enterprise) == before


def test_duplicate_credit_codes_in_one_file_are_reported(client, world):
    login_en(client, world.users["region_admin"])
    code = fake_uscc()
    rows = [_enterprise_row("甲", uscc=code), _enterprise_row("乙", uscc=code)]
    response = _upload(client, "enterprises", _xlsx(rows))
    assert response.status_code == 422
    assert "Same credit code as row 2" in response.get_data(as_text=True)


def test_teachers_import_and_unknown_school(client, world):
    login_en(client, world.users["league_admin"])
    ok = _upload(client, "teachers", _xlsx([["呼和浩特技师学院", "王老师", "讲师", "6-18-01-01"]]))
    assert ok.status_code == 302
    teacher = db.session.scalar(select(Teacher).where(Teacher.name == "王老师"))
    assert teacher.school_id == world.school.id and teacher.occupation_codes == ["6-18-01-01"]
    bad = _upload(client, "teachers", _xlsx([["不存在的学校", "李老师", "", "9-99"]]))
    page = bad.get_data(as_text=True)
    assert "No school with this name or id." in page and "Unknown occupation codes: 9-99" in page


def test_renamed_file_is_refused(client, world):
    login_en(client, world.users["region_admin"])
    before = _count(School)
    response = _upload(client, "schools", io.BytesIO(b"name,kind\nx,y\n"), "schools.xlsx")
    assert response.status_code == 400
    assert "This is not an Excel workbook" in response.get_data(as_text=True)
    assert _count(School) == before


def test_zip_bomb_is_refused(client, world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    buffer.seek(0)
    login_en(client, world.users["region_admin"])
    response = _upload(client, "schools", buffer)
    assert response.status_code == 400
    assert "implausible size" in response.get_data(as_text=True)


def test_oversize_file_is_refused(client, world, app):
    app.config["IMPORT_MAX_MB"] = 1
    try:
        login_en(client, world.users["region_admin"])
        response = _upload(client, "schools", io.BytesIO(b"x" * (1024 * 1024 + 10)))
        assert response.status_code == 413
        assert "larger than 1 MB" in response.get_data(as_text=True)
    finally:
        app.config.pop("IMPORT_MAX_MB")

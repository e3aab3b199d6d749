"""Exports: CSV and XLSX read back, formula neutralisation, streaming, filters applied."""

import csv
import io

from openpyxl import load_workbook

from app.common.exports import content_disposition, neutralise
from tests.helpers import bearer, login_en, make_enterprise, make_school, token_for
from tests.programme.factories import make_application, make_batch, make_major


def test_neutralise():
    assert neutralise("=SUM(A1)") == "'=SUM(A1)"
    assert neutralise("+1") == "'+1"
    assert neutralise("-2") == "'-2"
    assert neutralise("@cmd") == "'@cmd"
    assert neutralise("\tx") == "'\tx"
    assert neutralise("\rx") == "'\rx"
    assert neutralise("普通文本") == "普通文本"
    assert neutralise(" =1+1") == "' =1+1"
    assert neutralise("\u3000=1+1") == "'\u3000=1+1"
    for sign in "＝＋－＠":
        assert neutralise(f"{sign}SUM(A1)") == f"'{sign}SUM(A1)"
        assert neutralise(f"  {sign}1") == f"'  {sign}1"
    assert neutralise("a = b") == "a = b"
    assert neutralise("   ") == "   "
    assert neutralise(-5) == -5
    assert neutralise(None) == ""


def test_content_disposition_is_rfc5987():
    header = content_disposition("学校名录.xlsx")
    assert header.startswith('attachment; filename="____.xlsx"')
    assert "filename*=UTF-8''%E5%AD%A6" in header


def _csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_registry_schools_csv_applies_filters_and_neutralises(client, world):
    make_school(name='=HYPERLINK("http://evil")')
    response = client.get("/registry/schools?format=csv&q=HYPERLINK")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.is_streamed
    rows = _csv_rows(response)
    assert rows[0][:3] == ["Id", "Name", "Kind of school"]
    assert len(rows) == 2
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'


def test_registry_enterprises_xlsx_reads_back(client, world):
    make_enterprise(name="@恶意企业")
    response = client.get("/registry/enterprises?format=xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.is_streamed  # written to a temporary file, sent back in chunks
    workbook = load_workbook(io.BytesIO(response.get_data()))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][1] == "Name"
    names = {r[1] for r in rows[1:]}
    assert "'@恶意企业" in names
    assert "呼和浩特机床厂" in names
    assert "待审企业" not in names  # pending: not shown to anonymous visitors


def test_api_list_format_and_bad_format(client, world):
    response = client.get("/api/v1/schools?format=csv")
    rows = _csv_rows(response)
    assert {r[1] for r in rows[1:]} == {"呼和浩特技师学院", "包头技工学校"}
    bad = client.get("/api/v1/schools?format=pdf")
    assert bad.status_code == 400
    assert bad.get_json()["error"]["fields"]["format"]


def test_programme_list_exports_every_page(client, world, app):
    batch = make_batch()
    for _ in range(3):
        make_application(batch, make_major(world.school))
    app.config["PAGE_SIZE"] = 2
    try:
        login_en(client, world.users["region_admin"])
        page = client.get("/programme/applications").get_data(as_text=True)
        assert "format=xlsx" in page and "format=csv" in page
        response = client.get("/programme/applications?format=xlsx&status=submitted")
        rows = list(
            load_workbook(io.BytesIO(response.get_data())).active.iter_rows(values_only=True)
        )
        assert len(rows) == 4
        token = token_for(client, world.users["region_admin"])
        api = client.get(
            f"/api/v1/batches/{batch.id}/applications?format=csv", headers=bearer(token)
        )
        assert len(_csv_rows(api)) == 4
    finally:
        app.config["PAGE_SIZE"] = 20


def test_large_csv_export_streams_in_chunks(app):
    from app.common.exports import Column, csv_stream

    rows = ({"n": i, "t": f"=x{i}"} for i in range(100_000))
    columns = [Column("n", lambda r: r["n"]), Column("t", lambda r: r["t"])]
    with app.test_request_context("/"):
        chunks = csv_stream(rows, columns)
        first = next(chunks)
        assert first.startswith("\ufeffn,t")
        total = 1 + sum(1 for _ in chunks)
    assert total > 10  # many chunks: the rows were never joined in memory

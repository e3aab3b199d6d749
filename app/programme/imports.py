"""Importing enterprises, schools and teachers from .xlsx: checked uploads, downloadable
templates, a row-by-row validation report, and all-or-nothing saving."""

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from app.common import audit
from app.common.errors import Forbidden, ServiceError
from app.common.forms import form_errors, json_formdata
from app.extensions import db
from app.reference.models import Occupation
from app.registry import services as registry_services
from app.registry.forms import EnterpriseForm, SchoolForm
from app.registry.models import School, Teacher

#: Columns of each kind of import, in template order: (key, header).
KINDS: dict[str, tuple[tuple[str, Any], ...]] = {
    "enterprises": (
        ("name", _l("Name")),
        ("uscc", _l("Unified social credit code")),
        ("industry", _l("Industry section")),
        ("region_code", _l("League or city code")),
        ("address", _l("Address")),
        ("contact_name", _l("Contact person")),
        ("contact_phone", _l("Contact phone")),
        ("size_band", _l("Size")),
        ("description", _l("Description")),
    ),
    "schools": (
        ("name", _l("Name")),
        ("kind", _l("Kind of school")),
        ("uscc", _l("Unified social credit code")),
        ("region_code", _l("League or city code")),
        ("address", _l("Address")),
        ("contact_name", _l("Contact person")),
        ("contact_phone", _l("Contact phone")),
        ("description", _l("Description")),
    ),
    "teachers": (
        ("school", _l("School (exact name or id)")),
        ("name", _l("Name")),
        ("title", _l("Professional title")),
        ("occupation_codes", _l("Occupation codes (comma-separated)")),
    ),
}
EXAMPLES = {
    "enterprises": (
        "呼和浩特示例机械有限公司",
        "91150100MA0000001X",
        "C",
        "150100",
        "金桥开发区1号",
        "王经理",
        "13912345678",
        "medium",
        "",
    ),
    "schools": (
        "示例技师学院",
        "technician_college",
        "",
        "150100",
        "学府路8号",
        "刘老师",
        "0471-6661234",
        "",
    ),
    "teachers": ("示例技师学院", "张老师", "讲师", "6-18-01-01"),
}
MAX_ROWS = 5000


class UploadRefused(ServiceError):
    """The upload is too large, not an Excel workbook, or a zip bomb."""

    status = 400
    code = "upload_refused"


class TooLarge(UploadRefused):
    status = 413
    code = "too_large"


@dataclass
class ImportReport:
    """What an import found: problems per row and field, or how many rows were saved."""

    kind: str
    rows: int = 0
    saved: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def template_workbook(kind: str) -> bytes:
    """A template: a header row and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind
    sheet.append([f"{key} | {header}" for key, header in KINDS[kind]])
    sheet.append(list(EXAMPLES[kind]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_upload(stream) -> bytes:
    """The uploaded bytes; raises TooLarge or UploadRefused."""
    limit = int(current_app.config.get("IMPORT_MAX_MB", 5)) * 1024 * 1024
    data = stream.read(limit + 1)
    if len(data) > limit:
        message = str(_l("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024)))
        raise TooLarge(message, {"file": message})
    check_xlsx(data)
    return data


def check_xlsx(data: bytes) -> None:
    """Refuse anything that is not an .xlsx zip, or that unpacks too large (a zip bomb)."""
    not_excel = str(_l("This is not an Excel workbook (.xlsx); download the template."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UploadRefused(not_excel, {"file": not_excel}) from exc
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UploadRefused(not_excel, {"file": not_excel})
    max_total = int(current_app.config.get("IMPORT_MAX_UNCOMPRESSED_MB", 100)) * 1024 * 1024
    max_ratio = int(current_app.config.get("IMPORT_MAX_RATIO", 200))
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if len(infos) > 2000 or total > max_total or total / packed > max_ratio:
        message = str(_l("The workbook unpacks to an implausible size; it was refused."))
        raise UploadRefused(message, {"file": message})


def _rows(data: bytes, kind: str) -> list[dict[str, Any]]:
    """The data rows as dicts keyed by column (row numbers as in Excel, from 2)."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    keys = [key for key, _header in KINDS[kind]]
    rows = []
    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if number > MAX_ROWS + 1:
            message = str(_l("At most %(n)s rows per file.", n=MAX_ROWS))
            raise UploadRefused(message, {"file": message})
        cells = list(values or ())[: len(keys)]
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        cells += [None] * (len(keys) - len(cells))
        row = {k: ("" if v is None else str(v).strip()) for k, v in zip(keys, cells, strict=True)}
        row["_row"] = number
        rows.append(row)
    workbook.close()
    return rows


def _form_problems(form_class, row: dict[str, Any]) -> list[tuple[str, str]]:
    form = form_class(formdata=json_formdata(row), meta={"csrf": False})
    if form.validate():
        return []
    return sorted(form_errors(form).items())


def _teacher_data(row: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    problems = []
    ref = row["school"]
    school = None
    if ref.isdigit():
        school = db.session.get(School, int(ref))
    elif ref:
        school = db.session.scalar(select(School).where(School.name == ref))
    if school is None:
        problems.append(("school", str(_l("No school with this name or id."))))
    if not row["name"]:
        problems.append(("name", str(_l("This field is required."))))
    elif len(row["name"]) > 100:
        problems.append(("name", str(_l("At most 100 characters."))))
    if len(row["title"]) > 100:
        problems.append(("title", str(_l("At most 100 characters."))))
    codes = [c.strip() for c in row["occupation_codes"].replace("，", ",").split(",") if c.strip()]
    occupations = [db.session.get(Occupation, c) for c in codes]
    unknown = [c for c, o in zip(codes, occupations, strict=True) if o is None]
    if unknown:
        problems.append(
            ("occupation_codes", str(_l("Unknown occupation codes: %(c)s", c=", ".join(unknown))))
        )
    return {"school": school, "occupations": occupations}, problems


def _save_teacher(actor, row: dict[str, Any], extra: dict[str, Any]) -> None:
    school = extra["school"]
    if not actor.administers_region(school.region_code):
        raise Forbidden(str(_l("You may only import records in your own league.")))
    teacher = Teacher(
        school_id=school.id,
        name=row["name"],
        title=row["title"] or None,
        occupations=extra["occupations"],
    )
    db.session.add(teacher)
    db.session.flush()
    audit.record(
        actor, "teacher.import", teacher, after={"school_id": school.id, "name": row["name"]}
    )


def _save_org(actor, kind: str, row: dict[str, Any]) -> None:
    data = {k: v for k, v in row.items() if not k.startswith("_")}
    data["description"] = data.get("description") or None
    if kind == "enterprises":
        data["size_band"] = data.get("size_band") or None
        org = registry_services.create_enterprise(actor, data)
    else:
        data["uscc"] = data.get("uscc") or None
        org = registry_services.create_school(actor, data)
    registry_services.review(actor, org, "approve", None, confirm_uscc=True)


def run_import(actor, kind: str, data: bytes) -> ImportReport:
    """Validate every row, then save all of them, or none when any row is invalid.

    Flushes only; the caller commits when report.ok and rolls back otherwise.
    """
    report = ImportReport(kind=kind)
    rows = _rows(data, kind)
    report.rows = len(rows)
    prepared = []
    seen: dict[str, int] = {}
    for row in rows:
        if kind == "teachers":
            extra, problems = _teacher_data(row)
        else:
            extra = {}
            problems = _form_problems(EnterpriseForm if kind == "enterprises" else SchoolForm, row)
            code = (row.get("uscc") or "").upper()
            if code and code in seen:
                problems.append(("uscc", str(_l("Same credit code as row %(n)s.", n=seen[code]))))
            if code:
                seen.setdefault(code, row["_row"])
        report.problems += [(row["_row"], f, m) for f, m in problems]
        prepared.append((row, extra))
    if not rows:
        report.problems.append((1, "file", str(_l("The file has no data rows."))))
    if report.problems:
        return report
    for row, extra in prepared:
        try:
            if kind == "teachers":
                _save_teacher(actor, row, extra)
            else:
                _save_org(actor, kind, row)
        except ServiceError as exc:
            db.session.rollback()
            fields = exc.fields or {"row": exc.message}
            report.problems += [(row["_row"], f, m) for f, m in fields.items()]
            return report
        report.saved += 1
    audit.record(actor, f"import.{kind}", actor, after={"kind": kind, "rows": report.saved})
    return report

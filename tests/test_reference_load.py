"""`flask reference load`: idempotent, and it keeps what administrators edited."""

import csv

from sqlalchemy import func, select

from app.extensions import db
from app.reference.models import Industry, Major, Occupation, Region
from app.reference.services import DATA_DIR, save_major, save_occupation
from tests import helpers

FILES = {
    Region: "regions.csv",
    Industry: "industries.csv",
    Occupation: "occupations.csv",
    Major: "majors-candidates.csv",
}


def load(app) -> str:
    result = app.test_cli_runner().invoke(args=["reference", "load"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    db.session.expire_all()
    return result.output


def counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in FILES}


def file_rows(name: str) -> int:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return len(list(csv.DictReader(fh)))


def test_load_twice_gives_the_same_rows(app):
    load(app)
    first = counts()
    assert first == {m.__name__: file_rows(f) for m, f in FILES.items()}
    output = load(app)
    assert counts() == first
    assert "regions +0" in output and "majors +0" in output


def test_load_into_an_empty_database(app):
    for model in (Major, Occupation, Industry, Region):
        db.session.execute(model.__table__.delete())
    db.session.commit()
    assert counts() == dict.fromkeys(counts(), 0)
    load(app)
    assert counts() == {m.__name__: file_rows(f) for m, f in FILES.items()}


def test_admin_edited_major_survives_a_second_load(app):
    admin = helpers.make_user("region_admin")
    major = db.session.scalar(select(Major).where(Major.name == "焊接加工"))
    before = counts()
    save_major(
        admin,
        {
            "name": "焊接加工（工学一体化）",
            "category_code": major.category_code,
            "category_name": major.category_name,
            "occupation_code": major.occupation_code,
            "active": True,
        },
        major,
    )
    db.session.commit()
    load(app)
    edited = db.session.get(Major, major.id)
    assert edited.name == "焊接加工（工学一体化）"
    assert counts() == before


def test_admin_edited_occupation_name_survives_a_second_load(app):
    admin = helpers.make_user("region_admin")
    occupation = db.session.get(Occupation, "6-18-02-04")
    save_occupation(admin, {"name": "焊工（电焊）", "active": True}, occupation)
    db.session.commit()
    load(app)
    assert db.session.get(Occupation, "6-18-02-04").name == "焊工（电焊）"


def test_update_restores_a_renamed_major_without_a_duplicate(app):
    admin = helpers.make_user("region_admin")
    major = db.session.scalar(select(Major).where(Major.name == "焊接加工"))
    before = counts()
    data = {
        "name": "焊接技术",
        "category_code": major.category_code,
        "category_name": major.category_name,
        "occupation_code": major.occupation_code,
    }
    save_major(admin, data, major)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reference", "load", "--update"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Major, major.id).name == "焊接加工"
    assert counts() == before

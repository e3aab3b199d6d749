"""The graduate-outcomes summary of a chosen year against the year before, by league and by
catalogue major, as rows for the API and for CSV/XLSX exports."""

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.common.exports import Column
from app.extensions import db
from app.programme.models import GraduateOutcome
from app.programme.queries import OUTCOME_SUMS, _outcome_totals, scope_of
from app.reference.models import Major, Region
from app.registry.models import School, SchoolMajor

GROUP_LABELS = {"league": _l("League or city"), "major": _l("Integrated major")}
FIGURE_LABELS = {
    "cohort": _l("Graduates"),
    "certified_route": _l("Certified by the integrated-major route (视同认定)"),
    "certified_exam": _l("Certified by examination"),
    "employed": _l("Employed within six months"),
    "employed_partner": _l("Employed at a partner enterprise"),
}


def latest_year() -> int | None:
    """The latest graduating year with returned figures."""
    return db.session.scalar(select(func.max(GraduateOutcome.year)))


def summary(user, year: int) -> dict[str, Any]:
    """{"year", "previous_year", "by_league", "by_major"} for the user's scope: each row has
    key, name, year (figures) and previous (the year before's figures, zeros when none).
    A group appears when it has figures in either year."""
    scope = scope_of(user)
    empty = dict.fromkeys(OUTCOME_SUMS, 0)
    leagues = {r.code: r.name for r in db.session.scalars(select(Region))}
    result: dict[str, Any] = {"year": year, "previous_year": year - 1}
    for name, key in (("by_league", School.region_code), ("by_major", SchoolMajor.major_id)):
        now = _outcome_totals(key, scope, year)
        before = _outcome_totals(key, scope, year - 1)
        keys = set(now) | set(before)
        if name == "by_major":
            majors = select(Major.id, Major.name).where(Major.id.in_(keys))
            names = {k: n for k, n in db.session.execute(majors)}
        else:
            names = leagues
        rows = [
            {
                "key": k,
                "name": names.get(k, str(k)),
                "year": now.get(k, empty),
                "previous": before.get(k, empty),
            }
            for k in keys
        ]
        result[name] = sorted(rows, key=lambda r: (r["name"], str(r["key"])))
    return result


def summary_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per league, then per major, each with its grouping."""
    return [
        {"group": group, **row}
        for group, name in (("league", "by_league"), ("major", "by_major"))
        for row in data[name]
    ]


def summary_columns(year: int) -> list[Column]:
    """Columns of the exported summary: grouping, name, then each figure for both years."""
    columns = [
        Column(_l("Grouping"), lambda r: GROUP_LABELS[r["group"]]),
        Column(_l("Name"), lambda r: r["name"]),
    ]
    for field, label in FIGURE_LABELS.items():
        columns.append(Column(f"{label} {year}", lambda r, f=field: r["year"][f]))
        columns.append(Column(f"{label} {year - 1}", lambda r, f=field: r["previous"][f]))
    return columns

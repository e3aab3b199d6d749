"""Columns of the programme's list exports (app.common.exports streams them)."""

from flask_babel import lazy_gettext as _l

from app.common.exports import Column
from app.common.privacy import audit_actor, audit_values
from app.programme.forms import (
    APPLICATION_STATUS_LABELS,
    CATEGORY_LABELS,
    NOMINATION_STATUS_LABELS,
    OBJECTION_STATUS_LABELS,
    TEACHER_STATUS_LABELS,
)


def _label(labels, value) -> str:
    return str(labels.get(value, value))


BATCHES = [
    Column(_l("Batch"), lambda b: b.name),
    Column(_l("Phase"), lambda b: b.phase.name),
    Column(_l("Opens on"), lambda b: b.opens_on),
    Column(_l("Closes on"), lambda b: b.closes_on),
    Column(_l("Limit for a technician college"), lambda b: b.limit_technician_college),
    Column(_l("Limit for other technical schools"), lambda b: b.limit_other),
]
NOTICES = [
    Column(_l("Batch"), lambda b: b.name),
    Column(_l("Phase"), lambda b: b.phase.name),
    Column(_l("Notice from"), lambda b: b.notice_starts_on),
    Column(_l("Notice until"), lambda b: b.notice_ends_on),
]
OBJECTIONS = [
    Column(_l("Id"), lambda o: o.id),
    Column(_l("Batch"), lambda o: o.batch.name),
    Column(_l("School"), lambda o: o.application.school.name),
    Column(_l("Integrated major"), lambda o: o.application.school_major.major.name),
    Column(_l("Reason"), lambda o: o.reason),
    Column(_l("Status"), lambda o: _label(OBJECTION_STATUS_LABELS, o.status)),
    Column(_l("Answer"), lambda o: o.answer),
    Column(_l("Lodged at"), lambda o: o.created_at),
    Column(_l("Answered at"), lambda o: o.answered_at),
]
OUTCOMES = [
    Column(_l("Graduating year"), lambda o: o.year),
    Column(_l("School"), lambda o: o.school_major.school.name),
    Column(_l("League or city"), lambda o: o.school_major.school.region.name),
    Column(_l("Integrated major"), lambda o: o.school_major.major.name),
    Column(_l("Graduates"), lambda o: o.cohort),
    Column(_l("Certified by the integrated-major route (视同认定)"), lambda o: o.certified_route),
    Column(_l("Certified by examination"), lambda o: o.certified_exam),
    Column(_l("Employed within six months"), lambda o: o.employed),
    Column(_l("Employed at a partner enterprise"), lambda o: o.employed_partner),
]
APPLICATIONS = [
    Column(_l("Id"), lambda a: a.id),
    Column(_l("Batch"), lambda a: a.batch.name),
    Column(_l("Phase"), lambda a: a.batch.phase.name),
    Column(_l("School"), lambda a: a.school.name),
    Column(_l("League or city"), lambda a: a.school.region.name),
    Column(_l("Integrated major"), lambda a: a.school_major.major.name),
    Column(_l("Level"), lambda a: a.school_major.level),
    Column(_l("Status"), lambda a: _label(APPLICATION_STATUS_LABELS, a.status)),
    Column(_l("Reason"), lambda a: a.reason),
    Column(_l("Decided at"), lambda a: a.decided_at),
]
TEACHERS = [
    Column(_l("Id"), lambda r: r[0].id),
    Column(_l("Name"), lambda r: r[0].name),
    Column(_l("School"), lambda r: r[0].school.name),
    Column(_l("League or city"), lambda r: r[0].school.region.name),
    Column(_l("Professional title"), lambda r: r[0].title),
    Column(_l("Integrated-teacher status"), lambda r: _label(TEACHER_STATUS_LABELS, r[1])),
    Column(_l("Confirmed practice days in the window"), lambda r: int(r[2])),
    Column(_l("Training hours"), lambda r: int(r[3])),
]
WORKLOAD = [
    Column(_l("Term"), lambda r: r[0].term),
    Column(_l("Teacher"), lambda r: r[0].teacher.name),
    Column(_l("School"), lambda r: r[0].teacher.school.name),
    Column(_l("Ordinary hours"), lambda r: r[0].ordinary_hours),
    Column(_l("Integrated-major hours"), lambda r: r[0].integrated_hours),
    Column(_l("Weighted workload"), lambda r: round(float(r[1]), 1)),
]
PART_TIMERS = [
    Column(_l("Name"), lambda p: p.name),
    Column(_l("Enterprise"), lambda p: p.enterprise.name),
    Column(_l("School"), lambda p: p.school.name),
    Column(_l("Skill title"), lambda p: p.skill_title),
    Column(_l("Occupation"), lambda p: p.occupation_code),
    Column(_l("Teaching since"), lambda p: p.since),
    Column(_l("Still teaching"), lambda p: bool(p.active)),
]
RESEARCH_BASES = [
    Column(_l("Name"), lambda r: r[0].name),
    Column(_l("League or city"), lambda r: r[0].region.name),
    Column(_l("Run by"), lambda r: r[0].organisation),
    Column(_l("In use"), lambda r: bool(r[0].active)),
    Column(_l("Training records"), lambda r: int(r[1])),
]
NOMINATIONS = [
    Column(_l("Id"), lambda n: n.id),
    Column(_l("Category"), lambda n: _label(CATEGORY_LABELS, n.category)),
    Column(_l("School"), lambda n: n.school.name),
    Column(_l("Title"), lambda n: n.title),
    Column(_l("Status"), lambda n: _label(NOMINATION_STATUS_LABELS, n.status)),
    Column(_l("Score"), lambda n: n.total_score),
]
MAJORS = [
    Column(_l("School"), lambda r: r[0].school.name),
    Column(_l("Integrated major"), lambda r: r[0].major.name),
    Column(_l("Level"), lambda r: r[0].level),
    Column(_l("Active pairing"), lambda r: bool(r[1])),
]
PLACEMENTS = [
    Column(_l("Id"), lambda p: p.id),
    Column(_l("Enterprise"), lambda p: p.host.enterprise.name),
    Column(_l("Host"), lambda p: p.host.name),
    Column(_l("Title"), lambda p: p.title),
    Column(_l("Seats"), lambda p: p.seats),
    Column(_l("Seats taken"), lambda p: p.seats_taken),
    Column(_l("Starts on"), lambda p: p.starts_on),
    Column(_l("Ends on"), lambda p: p.ends_on),
]
AUDIT = [
    Column(_l("Time"), lambda e: e.at),
    Column(_l("Actor"), lambda e: audit_actor(e)),
    Column(_l("Action"), lambda e: e.action),
    Column(_l("Record"), lambda e: f"{e.target_type}:{e.target_id}"),
    Column(_l("League or city"), lambda e: e.region_code),
    Column(_l("Before"), lambda e: _json(audit_values(e, e.before))),
    Column(_l("After"), lambda e: _json(audit_values(e, e.after))),
    Column(_l("IP address"), lambda e: e.ip),
]


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


def _assessment_labels():
    from app.programme.forms import ASSESSMENT_RESULT_LABELS, ASSESSMENT_STATUS_LABELS

    return ASSESSMENT_STATUS_LABELS, ASSESSMENT_RESULT_LABELS


ASSESSMENTS = [
    Column(_l("Id"), lambda a: a.id),
    Column(_l("Batch"), lambda a: a.application.batch.name),
    Column(_l("School"), lambda a: a.application.school.name),
    Column(_l("Integrated major"), lambda a: a.application.school_major.major.name),
    Column(_l("Status"), lambda a: _label(_assessment_labels()[0], a.status)),
    Column(_l("Assessors"), lambda a: len(a.assessors)),
    Column(_l("Scores submitted"), lambda a: sum(1 for s in a.assessors if s.submitted_at)),
    Column(_l("Mean score"), lambda a: a.mean_score),
    Column(_l("Result"), lambda a: _label(_assessment_labels()[1], a.result) if a.result else ""),
    Column(_l("Opened at"), lambda a: a.created_at),
    Column(_l("Concluded at"), lambda a: a.concluded_at),
]

"""People's words for the audit log: actions, record kinds and changed fields (never raw codes)."""

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.common.time import format_local

#: Record kinds: the audited model's class name, and the noun before the dot in an action code.
RECORD_LABELS = {
    "User": _l("Account"),
    "account": _l("Account"),
    "ApiToken": _l("API token"),
    "HostPosting": _l("Posting"),
    "posting": _l("Posting"),
    "Offer": _l("Cooperation offer"),
    "offer": _l("Cooperation offer"),
    "Placement": _l("Practice placement"),
    "placement": _l("Practice placement"),
    "PairingRequest": _l("Pairing request"),
    "pairing_request": _l("Pairing request"),
    "Application": _l("Practice application"),
    "application": _l("Practice application"),
    "Pairing": _l("Pairing"),
    "pairing": _l("Pairing"),
    "Practice": _l("Enterprise practice"),
    "practice": _l("Enterprise practice"),
    "PracticeEntry": _l("Practice day"),
    "Phase": _l("Phase"),
    "phase": _l("Phase"),
    "Batch": _l("Batch"),
    "batch": _l("Batch"),
    "BatchApplication": _l("Batch application"),
    "batch_application": _l("Batch application"),
    "Target": _l("Target"),
    "ClosureRequest": _l("Account closure request"),
    "login": _l("Login"),
    "closure": _l("Account closure request"),
    "target": _l("Target"),
    "TrainingRecord": _l("Training record"),
    "TeacherStatus": _l("Teacher status"),
    "teacher_status": _l("Teacher status"),
    "TeachingHours": _l("Teaching hours"),
    "teaching_hours": _l("Teaching hours"),
    "PartTimeTeacher": _l("Part-time teacher"),
    "Indicator": _l("Indicator"),
    "Nomination": _l("Nomination"),
    "nomination": _l("Nomination"),
    "Region": _l("League or city"),
    "Occupation": _l("Occupation"),
    "occupation": _l("Occupation"),
    "Major": _l("Major"),
    "major": _l("Major"),
    "Enterprise": _l("Enterprise"),
    "enterprise": _l("Enterprise"),
    "School": _l("School"),
    "school": _l("School"),
    "Host": _l("Host"),
    "host": _l("Host"),
    "Workshop": _l("Workshop team"),
    "workshop": _l("Workshop team"),
    "TrainingStation": _l("Training station"),
    "trainingstation": _l("Training station"),
    "MasterStudio": _l("Skill-master studio"),
    "masterstudio": _l("Skill-master studio"),
    "SchoolMajor": _l("Integrated major"),
    "school_major": _l("Integrated major"),
    "Teacher": _l("Teacher"),
    "teacher": _l("Teacher"),
    "ReviewPanelMember": _l("Review panel member"),
    "ResourceItem": _l("Teaching resource"),
    "resource": _l("Teaching resource"),
    "ResourceFile": _l("Resource file"),
    "Venue": _l("Venue"),
    "venue": _l("Venue"),
    "Booking": _l("Booking"),
    "booking": _l("Booking"),
    "TrainingProgramme": _l("Training programme"),
    "training": _l("Training programme"),
    "Trainee": _l("Trainee"),
    "Certification": _l("Certification"),
    "certification": _l("Certification"),
    "SupervisionVisit": _l("Supervision visit"),
    "supervision": _l("Supervision visit"),
    "SupervisionAction": _l("Supervision action"),
    "MatchRound": _l("Match round"),
    "round": _l("Match round"),
    "Match": _l("Proposed match"),
    "match": _l("Proposed match"),
    "demo": _l("Demo data"),
    "import": _l("Import"),
    "Assessment": _l("Assessment of construction"),
    "assessment": _l("Assessment of construction"),
}

#: Verbs after the dot in an action code.
VERB_LABELS = {
    "create": _l("created"),
    "update": _l("changed"),
    "save": _l("saved"),
    "delete": _l("deleted"),
    "retire": _l("retired"),
    "reinstate": _l("reinstated"),
    "approve": _l("approved"),
    "reject": _l("rejected"),
    "approved": _l("approved"),
    "rejected": _l("rejected"),
    "publish": _l("published"),
    "run": _l("run"),
    "lock": _l("locked"),
    "exclude": _l("excluded"),
    "expire": _l("expired"),
    "accept": _l("accepted"),
    "decline": _l("declined"),
    "confirm": _l("confirmed"),
    "submit": _l("submitted"),
    "withdraw": _l("withdrawn"),
    "return": _l("returned"),
    "endorse": _l("endorsed"),
    "end": _l("ended"),
    "close": _l("closed"),
    "open": _l("opened"),
    "answer": _l("answered"),
    "visit": _l("visit recorded"),
    "decide": _l("decided"),
    "cancel": _l("cancelled"),
    "advance": _l("advanced"),
    "score": _l("scored"),
    "log_day": _l("day logged"),
    "confirm_days": _l("days confirmed"),
    "complete": _l("completed"),
    "file": _l("file added"),
    "panel_appoint": _l("panel member appointed"),
    "panel_remove": _l("panel member removed"),
    "password_change": _l("password changed"),
    "trainee": _l("trainee added"),
    "outcome": _l("outcome recorded"),
    "import": _l("imported"),
    "seed": _l("loaded"),
    "resources": _l("resources loaded"),
    "programme": _l("programme loaded"),
    "cooperation": _l("cooperation loaded"),
    "privacy_accept": _l("privacy notice accepted"),
    "success": _l("succeeded"),
    "failure": _l("failed"),
    "request": _l("requested"),
    "refuse": _l("refused"),
    "appoint": _l("assessor appointed"),
    "conclude": _l("concluded"),
    "threshold": _l("demonstration threshold set"),
}

#: Fields of the before/after values.
FIELD_LABELS = {
    "status": _l("Status"),
    "pseudonym": _l("Pseudonym"),
    "privacy_version": _l("Privacy notice version"),
    "name": _l("Name"),
    "retired_at": _l("Retired at"),
    "active": _l("Active"),
    "total_score": _l("Total score"),
    "side": _l("Side"),
    "school_major_id": _l("Integrated major"),
    "outcome": _l("Outcome"),
    "locked": _l("Locked"),
    "confirmed": _l("Confirmed"),
    "user_id": _l("Account"),
    "user": _l("Account"),
    "uscc_confirmed": _l("Credit code checked by hand"),
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "slots": _l("Slots"),
    "size": _l("Size"),
    "seats": _l("Seats"),
    "scores": _l("Scores"),
    "school_id": _l("School"),
    "school": _l("School"),
    "rows": _l("Rows"),
    "role": _l("Role"),
    "review_reason": _l("Reason"),
    "reason": _l("Reason"),
    "proposed": _l("Proposed matches"),
    "placement_ids": _l("Placements"),
    "on_date": _l("Date"),
    "occupation_code": _l("Occupation"),
    "number": _l("Number"),
    "matches": _l("Matches"),
    "level": _l("Level"),
    "kind": _l("Kind"),
    "expired": _l("Expired"),
    "excluded": _l("Excluded"),
    "email": _l("Email"),
    "code": _l("Code"),
    "batch_id": _l("Batch"),
    "actions": _l("Actions"),
    "region_code": _l("League or city"),
    "deadline": _l("Deadline"),
    "mode": _l("Mode"),
    "parent_id": _l("Follows round"),
    # counts recorded when the demo world is loaded
    "schools": _l("Schools"),
    "enterprises": _l("Enterprises"),
    "hosts": _l("Hosts"),
    "teachers": _l("Teachers"),
    "accounts": _l("Accounts"),
    "school_majors": _l("Integrated majors"),
    "teacher_profiles": _l("Teacher profiles"),
    "teachers_confirmed": _l("Teachers confirmed"),
    "offers": _l("Cooperation offers"),
    "placements": _l("Practice placements"),
    "pairing_requests": _l("Pairing requests"),
    "pairings": _l("Pairings"),
    "practice_entries": _l("Practice days"),
    "practices": _l("Enterprise practices"),
    "round_matches": _l("Proposed matches"),
    "round_confirmed": _l("Confirmed matches"),
    "applications": _l("Practice applications"),
    "notifications": _l("Notifications"),
    "batch_applications": _l("Batch applications"),
    "majors_selected": _l("Majors selected"),
    "schools_selected": _l("Schools selected"),
    "teachers_trained": _l("Teachers trained"),
    "teachers_certified": _l("Teachers certified"),
    "training_records": _l("Training records"),
    "teaching_hours": _l("Teaching hours"),
    "part_time_teachers": _l("Part-time teachers"),
    "nominations": _l("Nominations"),
    "nominations_published": _l("Nominations published"),
    "panel_members": _l("Review panel members"),
    "resource_items": _l("Teaching resources"),
    "resource_files": _l("Resource files"),
    "venues": _l("Venues"),
    "bookings": _l("Bookings"),
    "bookings_pending": _l("Bookings pending"),
    "bookings_confirmed": _l("Bookings confirmed"),
    "training_programmes": _l("Training programmes"),
    "trainees": _l("Trainees"),
    "certifications": _l("Certifications"),
    "supervision_visits": _l("Supervision visits"),
    "supervision_actions": _l("Supervision actions"),
    "assessors": _l("Assessors"),
    "application_id": _l("Batch application"),
    "mean_score": _l("Mean score"),
    "result": _l("Result"),
    "note": _l("Note"),
    "total": _l("Total"),
    "demonstration_threshold": _l("Demonstration threshold"),
    "assessments": _l("Assessments of construction"),
    "assessments_concluded": _l("Assessments concluded"),
}


def record_label(kind: str | None) -> str:
    """The record kind in words ("匹配轮次" for MatchRound); unknown kinds as they are."""
    if not kind:
        return ""
    return str(RECORD_LABELS.get(kind, kind))


def action_label(action: str) -> str:
    """An action code in words: "round.publish" → "匹配轮次 · 已发布"."""
    noun, _sep, verb = action.partition(".")
    noun_text = record_label(noun)
    if not verb:
        return noun_text
    return _("%(record)s · %(verb)s", record=noun_text, verb=str(VERB_LABELS.get(verb, verb)))


def target_label(kind: str | None, ident: str | None) -> str:
    """The audited record in words: "匹配轮次 1号"."""
    if not ident:
        return record_label(kind)
    return _("%(record)s no. %(id)s", record=record_label(kind), id=ident)


def field_label(name: str) -> str:
    """A changed field's name in words."""
    return str(FIELD_LABELS.get(name, name.replace("_", " ")))


def _status_words() -> dict[str, Any]:
    from app.cooperation.forms import STATUS_LABELS as COOPERATION
    from app.programme.forms import APPLICATION_STATUS_LABELS, NOMINATION_STATUS_LABELS
    from app.registry.forms import STATUS_LABELS as REVIEW
    from app.resources.forms import BOOKING_STATUS_LABELS, RESOURCE_STATUS_LABELS
    from app.rounds.forms import MATCH_STATUS_LABELS, ROUND_STATUS_LABELS

    words: dict[str, Any] = {}
    for table in (
        RESOURCE_STATUS_LABELS,
        BOOKING_STATUS_LABELS,
        NOMINATION_STATUS_LABELS,
        APPLICATION_STATUS_LABELS,
        MATCH_STATUS_LABELS,
        ROUND_STATUS_LABELS,
        COOPERATION,
        REVIEW,
    ):
        words.update(table)
    return words


def value_label(value: Any, field: str = "") -> str:
    """A stored value in words: yes/no for booleans, statuses translated, a dash for nothing."""
    if field == "status" and isinstance(value, str):
        return str(_status_words().get(value, value))
    if field in ("kind", "mode") and isinstance(value, str):
        from app.rounds.forms import KIND_LABELS, MODE_LABELS

        return str({**KIND_LABELS, **MODE_LABELS}.get(value, value))
    if isinstance(value, str) and (field.endswith("_at") or field == "deadline"):
        try:
            return format_local(datetime.fromisoformat(value))
        except ValueError:
            return value
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    return str(value)


def action_choices(codes: list[str]) -> list[tuple[str, str]]:
    """(code, words) for the action filter, sorted by the words."""
    return sorted(((c, action_label(c)) for c in codes), key=lambda pair: pair[1])


def record_choices() -> list[tuple[str, str]]:
    """(class name, words) for the record filter."""
    kinds = {k for k in RECORD_LABELS if k[:1].isupper()}
    return sorted(((k, record_label(k)) for k in kinds), key=lambda pair: pair[1])

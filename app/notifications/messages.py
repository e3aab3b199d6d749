"""Message templates of notification kinds, rendered in the reader's language.

Each kind maps to a lazily translated template filled with the notification's `params`
(missing parameters show as "…"). Senders call `notify(users, kind, params, link)`.
"""

from typing import Any

from flask_babel import lazy_gettext as _l

MESSAGES = {
    # registry
    "review_approved": _l("%(organisation)s has been approved and is now public."),
    "review_rejected": _l("%(organisation)s was not approved: %(reason)s"),
    # teachers
    "teacher_registered": _l("%(teacher)s asks to be confirmed as a teacher of %(school)s."),
    "teacher_confirmed": _l("%(school)s has confirmed your teacher profile."),
    # applications and direct acceptance
    "application_submitted": _l("%(teacher)s applied for enterprise practice (%(placement)s)."),
    "application_endorsed": _l("%(school)s endorsed the application of %(teacher)s."),
    "application_returned": _l("%(school)s returned your application: %(reason)s"),
    "application_withdrawn": _l("%(teacher)s withdrew the application for %(placement)s."),
    "application_accepted": _l(
        "%(enterprise)s accepted %(teacher)s for practice at %(placement)s."
    ),
    # practice
    "practice_days_confirmed": _l("%(enterprise)s confirmed %(days)s days of your practice."),
    "practice_completed": _l(
        "Your practice at %(placement)s is completed with %(days)s days confirmed."
    ),
    # pairing
    "pairing_request_submitted": _l("%(school)s requested a workshop pairing for %(major)s."),
    "pairing_ended": _l("The pairing of %(major)s with %(host)s has been ended."),
    # match rounds (sent by app/rounds)
    "match_proposed": _l("A match has been proposed: %(applicant)s with %(host)s. Please answer."),
    "match_accepted": _l("%(party)s accepted the proposed match of %(applicant)s with %(host)s."),
    "match_declined": _l("%(party)s declined the proposed match of %(applicant)s with %(host)s."),
    "match_confirmed": _l("The match of %(applicant)s with %(host)s is confirmed by both sides."),
    "match_expired": _l("The proposed match of %(applicant)s with %(host)s expired unanswered."),
    "round_published": _l("Match round %(round)s has been published."),
    "round_deadline_soon": _l(
        "Match round %(round)s closes on %(deadline)s: answer your proposals within 3 days."
    ),
    # programme reminders (sent by app/programme/reminders.py)
    "batch_closing_soon": _l(
        "Batch %(batch)s closes on %(closes_on)s and your school has not applied a major yet."
    ),
    "supervision_action_due": _l("A supervision action is due on %(due_on)s: %(action)s"),
    "supervision_action_overdue": _l(
        "A supervision action was due on %(due_on)s and is still open: %(action)s"
    ),
    "objection_awaiting": _l(
        "An objection to the selection of %(school)s in %(batch)s awaits your answer."
    ),
    "practice_behind": _l(
        "%(behind)s of your %(teachers)s teachers fall behind the enterprise-practice rule."
    ),
    # teaching resources, venues, supervision (sent by app/resources)
    "resource_approved": _l("“%(title)s” has passed review. %(comment)s"),
    "resource_returned": _l("“%(title)s” was returned for revision: %(comment)s"),
    "resource_rejected": _l("“%(title)s” did not pass review: %(comment)s"),
    "booking_confirmed": _l("Your booking of %(venue)s is confirmed."),
    "booking_declined": _l("Your booking of %(venue)s was declined."),
    "supervision_recorded": _l(
        "A supervision visit of %(visited_on)s was recorded with %(actions)s required actions."
    ),
    # direct pairing proposals (sent by app/cooperation)
    "proposal_received": _l(
        "%(party)s proposes to pair %(major)s of %(school)s with %(host)s of %(enterprise)s."
    ),
    "proposal_accepted": _l(
        "The proposal to pair %(major)s of %(school)s with %(host)s was accepted: "
        "the pairing has started."
    ),
    "agreement_created": _l(
        "Agreement “%(title)s” (version %(version)s) was recorded: upload the signed scan and "
        "confirm it."
    ),
    "agreement_active": _l(
        "Agreement “%(title)s” (version %(version)s) is confirmed by every party and in force."
    ),
    "agreement_ending": _l("Agreement “%(title)s” ends on %(ends_on)s: renew it in time."),
    "proposal_declined": _l(
        "The proposal to pair %(major)s of %(school)s with %(host)s was declined: %(reason)s"
    ),
    "closure_refused": _l("Your request to close your account was refused: %(reason)s"),
    # assessment of construction (sent by app/programme/assessment.py)
    "assessment_appointed": _l(
        "You have been appointed to the panel assessing %(major)s of %(school)s. Please score it."
    ),
    "assessment_passed": _l(
        "The assessment of %(major)s has concluded: passed (mean score %(mean)s). %(note)s"
    ),
    "assessment_not_passed": _l(
        "The assessment of %(major)s has concluded: not passed (mean score %(mean)s). %(note)s"
    ),
    # construction of selected majors (sent by app/programme/construction.py)
    "milestone_recorded": _l(
        "%(school)s recorded a construction milestone of %(major)s: %(milestone)s "
        "(%(achieved_on)s)."
    ),
}
FALLBACK = _l("You have a new notification.")


class _Params(dict):
    """Parameters where a missing key shows as an ellipsis instead of failing."""

    def __missing__(self, key: str) -> str:
        return "…"


def render(kind: str, params: dict[str, Any] | None) -> str:
    """The message of a notification in the current locale."""
    template = MESSAGES.get(kind)
    if template is None:
        return str(FALLBACK)
    clean = _Params({k: "" if v is None else v for k, v in (params or {}).items()})
    try:
        return str(template) % clean
    except (TypeError, ValueError):
        return str(FALLBACK)

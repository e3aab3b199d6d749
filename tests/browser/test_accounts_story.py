"""Accounts in the browser: an owner invites a colleague who accepts from the emailed link and
posts an offer; a user resets a forgotten password; an administrator deactivates an account."""

import logging
import re

import pytest
from sqlalchemy import select

from app.cooperation.models import Offer
from app.extensions import db
from tests.browser.helpers import accept_dialogs, flash_text, log_in, nav, snap, submit
from tests.helpers import PASSWORD, make_enterprise, make_host, make_user, unique

NEW_PASSWORD = "Caoyuan-Neu-2026"


class _Outbox(logging.Handler):
    """The emails the live server writes to its log (MAIL_SERVER is not set)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())

    def link(self, path: str, to: str) -> str:
        """The last emailed link to `path` sent to the address `to`, as a local path."""
        for message in reversed(self.messages):
            if f"To: {to}" in message:
                match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[\w\-]+)", message)
                if match:
                    return match.group(1)
        raise AssertionError(f"no email with {path} to {to}: {self.messages}")


@pytest.fixture()
def outbox():
    handler = _Outbox()
    logger = logging.getLogger("app.notifications.mail")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def _enterprise_owner() -> dict:
    enterprise = make_enterprise(name=unique("草原重工有限公司"))
    owner = make_user("enterprise", enterprise=enterprise, name="乌兰")
    host = make_host(enterprise, name=unique("焊接班组"))
    return {"email": owner.email, "host_id": host.id, "enterprise_id": enterprise.id}


def _offers_by(email: str) -> list[str]:
    from app.common.models import AuditEvent

    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_email == email, AuditEvent.target_type == "Offer")
    ).all()
    return [e.target_id for e in events]


def test_owner_invites_a_colleague_who_accepts_and_posts_an_offer(
    browser, live_server, page, in_live_db, outbox
):
    setup = in_live_db(_enterprise_owner)
    colleague = f"{unique('colleague')}@example.cn"
    log_in(page, setup["email"])
    nav(page, "My organisation")
    page.get_by_role("link", name="Members and invitations").click()
    page.wait_for_url("**/registry/members")
    page.fill("input[name=email]", "not-an-email")
    submit(page, "email")
    assert page.locator(".field-error").count() >= 1
    page.fill("input[name=email]", colleague)
    page.select_option("select[name=role]", "staff")
    submit(page, "email")
    assert f"Invitation sent to {colleague}." in flash_text(page)
    assert colleague in page.locator("#invitations").inner_text()
    snap(page, "members-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    snap(page, "members-390")
    page.set_viewport_size({"width": 1280, "height": 800})

    link = outbox.link("/auth/invitations/", colleague)
    context = browser.new_context(
        base_url=live_server, locale="en-US", viewport={"width": 390, "height": 844}
    )
    other = context.new_page()
    other.goto(link)
    assert "乌兰" in other.content()
    snap(other, "invitation-390")
    other.fill("input[name=name]", "巴特尔")
    other.fill("input[name=password]", PASSWORD)
    other.fill("input[name=confirm]", PASSWORD)
    other.check("input[name=accept_privacy]")
    submit(other, "confirm")
    other.wait_for_url(f"{live_server}/")
    assert "Welcome to" in " ".join(other.locator(".alert").all_inner_texts())

    other.goto("/cooperation/offers/new")
    other.select_option("select[name=host_id]", str(setup["host_id"]))
    other.select_option("select[name=mode]", "linkage")
    other.check("input[name=occupation_codes][value='6-18-01-01']")
    other.fill("input[name=slots]", "2")
    other.fill("input[name=starts_on]", "2027-03-01")
    other.fill("input[name=ends_on]", "2027-07-31")
    other.fill("textarea[name=description]", "焊接实训共建")
    submit(other, "slots")
    other.wait_for_url("**/cooperation/desk")
    assert "The offer has been saved." in " ".join(other.locator(".alert").all_inner_texts())
    offers = in_live_db(
        lambda: [
            o.host.enterprise_id
            for o in db.session.scalars(select(Offer))
            if o.description == "焊接实训共建"
        ]
    )
    assert offers == [setup["enterprise_id"]]

    # the link works once
    other.goto(link)
    assert "has already been used" in other.locator("#link-invalid").inner_text()
    context.close()

    page.reload()
    members = page.locator("#members").inner_text()
    assert "巴特尔" in members and colleague in members


def test_user_resets_a_forgotten_password(page, in_live_db, outbox):
    email = in_live_db(lambda: make_user("teacher").email)
    page.goto("/auth/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.fill("input[name=email]", email)
    submit(page, "email")
    page.wait_for_url("**/auth/login")
    assert "If an account has this email" in flash_text(page)
    link = outbox.link("/auth/password/reset/", email)
    page.goto(link)
    page.fill("input[name=password]", "short")
    page.fill("input[name=confirm]", "short")
    submit(page, "confirm")
    assert page.locator(".field-error").count() >= 1
    page.fill("input[name=password]", NEW_PASSWORD)
    page.fill("input[name=confirm]", NEW_PASSWORD)
    submit(page, "confirm")
    page.wait_for_url("**/auth/login")
    log_in(page, email, NEW_PASSWORD)
    assert "Log out" in page.content()


def test_admin_deactivates_an_account(browser, live_server, page, in_live_db):
    admin = in_live_db(lambda: make_user("region_admin").email)
    victim = in_live_db(lambda: make_user("teacher", name="被停用的老师").email)
    accept_dialogs(page)
    victim_context = browser.new_context(base_url=live_server, locale="en-US")
    victim_page = victim_context.new_page()
    log_in(victim_page, victim)
    victim_page.goto("/auth/password")
    assert victim_page.url.endswith("/auth/password")

    log_in(page, admin)
    nav(page, "Accounts")
    page.fill("input[name=q]", victim)
    page.get_by_role("button", name="Filter").click()
    row = page.locator(f"tr[data-email='{victim}']")
    snap(page, "accounts-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    snap(page, "accounts-390")
    page.set_viewport_size({"width": 1280, "height": 800})
    row.get_by_role("button", name="Deactivate").click()
    assert "The account was deactivated." in flash_text(page)
    assert "Deactivated" in page.locator(f"tr[data-email='{victim}']").inner_text()

    victim_page.goto("/auth/password")
    assert "/auth/login" in victim_page.url
    victim_page.fill("input[name=email]", victim)
    victim_page.fill("input[name=password]", PASSWORD)
    submit(victim_page, "password")
    assert "Wrong email or password." in victim_page.content()
    victim_context.close()

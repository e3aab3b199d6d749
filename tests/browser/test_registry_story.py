"""An enterprise registers itself and its hosts; an administrator approves; the public finds it."""

from tests.browser.helpers import log_in, log_out, sign_up, submit
from tests.helpers import make_user


def test_enterprise_registers_is_reviewed_and_listed(page, in_live_db):
    admin = in_live_db(lambda: make_user("league_admin", region_code="150100").email)
    sign_up(page, "赵经理", "zhao@qingcheng.example.cn", "enterprise")

    page.goto("/registry/enterprises/new")
    page.fill("input[name=name]", "青城精密机械有限公司")
    page.fill("input[name=uscc]", "91350200776O49653A")  # letter O: malformed
    page.select_option("select[name=industry]", "C")
    page.select_option("select[name=region_code]", "150100")
    page.fill("input[name=address]", "呼和浩特市赛罕区工业路8号")
    page.fill("input[name=contact_name]", "赵经理")
    page.fill("input[name=contact_phone]", "13904710000")
    page.check("input[name=accept_privacy]")
    submit(page, "uscc")
    assert page.locator(".field-error").count() >= 1  # error shown next to the field
    page.fill("input[name=uscc]", "91350200776049653A")
    submit(page, "uscc")
    page.wait_for_url("**/registry/mine")
    assert "青城精密机械有限公司" in page.content()

    page.locator("a[href*='/hosts/new']").first.click()
    page.select_option("select[name=kind]", "workshop")
    page.fill("input[name=name]", "数控车工班组")
    page.check("input[name=occupation_codes][value='6-18-01-01']")
    page.fill("input[name=capacity]", "6")
    page.select_option("select[name=region_code]", "150100")
    submit(page, "capacity")
    page.wait_for_url("**/registry/mine")
    assert "数控车工班组" in page.content()
    log_out(page)

    page.goto("/registry/enterprises?q=青城")
    assert "青城精密机械有限公司" not in page.content()  # pending: not public yet

    log_in(page, admin)
    page.goto("/registry/review")
    page.locator("a[href*='/review']", has_text="青城精密机械有限公司").first.click()
    page.check("input[name=decision][value=approve]")
    submit(page, "decision")
    log_out(page)

    page.goto("/registry/enterprises?q=青城")
    page.locator("a", has_text="青城精密机械有限公司").first.click()
    assert "数控车工班组" in page.content()

"""Steps a person takes in the browser."""

from tests.helpers import PASSWORD


def submit(page, field_name: str) -> None:
    """Click the submit button of the form that holds the named field."""
    page.locator(f"form:has([name='{field_name}']) button[type=submit]").first.click()


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """Log in through the login page and land on the home page."""
    page.goto("/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    submit(page, "password")
    page.wait_for_url("**/")


def log_out(page) -> None:
    """Log out with the navbar button."""
    page.locator("form[action$='/auth/logout'] button").click()


def sign_up(page, name: str, email: str, role: str, password: str = PASSWORD) -> None:
    """Create an account through the sign-up page."""
    page.goto("/auth/signup")
    page.fill("input[name=name]", name)
    page.fill("input[name=email]", email)
    page.select_option("select[name=role]", role)
    page.fill("input[name=password]", password)
    page.fill("input[name=confirm]", password)
    page.check("input[name=accept_privacy]")
    submit(page, "confirm")
    page.wait_for_url("**/")


def assert_no_server_error(page) -> None:
    """The page is not an error page."""
    assert "Something went wrong" not in page.content()


def accept_dialogs(page) -> None:
    """Answer every confirmation dialog (forms with data-confirm) with OK."""
    page.on("dialog", lambda dialog: dialog.accept())


def flash_text(page) -> str:
    """The text of the flashed messages on the current page."""
    return " ".join(page.locator(".alert").all_inner_texts())


def snap(page, name: str) -> None:
    """Save a full-page screenshot to $BROWSER_SCREENSHOTS/<name>.png when that is set."""
    import os

    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def nav(page, label: str) -> None:
    """Follow a navbar entry, opening its drop-down menu first when it sits in one."""
    link = page.locator("#nav").get_by_role("link", name=label, exact=True).first
    if not link.is_visible():
        menu = page.locator("#nav li.dropdown").filter(
            has=page.locator("a.dropdown-item", has_text=label)
        )
        menu.locator(".dropdown-toggle").first.click()
    link.click()

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
    submit(page, "confirm")
    page.wait_for_url("**/")


def assert_no_server_error(page) -> None:
    """The page is not an error page."""
    assert "Something went wrong" not in page.content()

"""Logging in and out in a real browser (headless Chromium)."""

import pytest

from tests.browser import browser, page, signed_in  # noqa: F401
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_see_home_and_log_out(page, cast):
    page.goto("/")
    page.wait_for_url("**/login/?next=/")
    # The username field has the focus: one can type straight away.
    assert page.evaluate("document.activeElement.name") == "username"
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Officer"
    assert "Officer · Press officer" in page.inner_text("header")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")
    assert "You are logged out." in page.inner_text("main")
    page.goto("/")
    page.wait_for_url("**/login/?next=/")


def test_a_wrong_password_shows_the_error_on_the_form(page, cast):
    page.goto("/login/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", "not-the-password")
    page.get_by_role("button", name="Log in").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "correct username and password" in alert.inner_text()
    assert "/login/" in page.url
    # The form keeps the username and offers the way out.
    assert page.input_value("#id_username") == "officer"
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/password-reset/")


def test_signed_in_fixture_still_works(signed_in):
    pg = signed_in("manager")
    assert "Manager" in pg.inner_text("header")

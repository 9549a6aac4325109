"""In a real browser: the director adds a press officer through the team page."""

from __future__ import annotations

import pytest

from relance.accounts.models import Role, User
from tests.browser import browser, page, signed_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_director_adds_a_press_officer(signed_in):
    page = signed_in("director")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    page.get_by_role("link", name="Add a team member").click()

    page.get_by_label("First name").fill("Claire")
    page.get_by_label("Last name").fill("Dubois")
    page.get_by_label("Username").fill("claire")
    page.get_by_label("E-mail address").fill("claire@agency.example")
    page.get_by_label("Role").select_option(Role.PRESS_OFFICER.value)
    page.get_by_label("Daily call capacity").fill("30")
    page.get_by_label("Type a password now").check()
    page.get_by_label("Password to give them").fill("un-mot-de-passe-solide-7")
    page.get_by_role("button", name="Add to the team").click()

    page.wait_for_url("**/team/")
    assert page.get_by_role("status").inner_text().startswith("Claire Dubois was added.")
    row = page.get_by_role("row").filter(has_text="Claire Dubois")
    assert "Press officer" in row.inner_text() and "30" in row.inner_text()
    claire = User.objects.get(username="claire")
    assert claire.role == Role.PRESS_OFFICER and claire.check_password("un-mot-de-passe-solide-7")

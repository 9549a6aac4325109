"""The contacts pages in a real browser: searching and filtering swap the
results in place and keep the state in the URL; editing a contact with a
second phone made primary."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import browser, page, signed_in  # noqa: F401

from .factories import contact, outlet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(cast):
    d = cast["director"]
    lyon = outlet(d, "Le Courrier de Lyon", country="FR")
    mtl = outlet(d, "La Voix de Montréal", country="CA", region="QC", kind="radio")
    return {
        "dubois": contact(
            d,
            "Dubois",
            first_name="Claire",
            outlet_id=lyon.pk,
            beats=["Écologie"],
            phones=["06 12 34 56 78"],
        ),
        "gagnon": contact(d, "Gagnon", first_name="Luc", outlet_id=mtl.pk, beats=["Écologie"]),
        "smith": contact(d, "Smith", first_name="John", outlet_id=mtl.pk, beats=["Tech"]),
    }


def test_search_and_filter_swap_results_and_keep_the_url(signed_in, media):
    pg = signed_in("manager")
    pg.goto("/contacts/")
    names = pg.locator("#results .contact-name")
    expect(names).to_have_count(3)
    # Set on this document: a full page load would lose it.
    pg.evaluate("window.relanceMarker = 'same page'")

    pg.fill("#id_q", "ecologie")  # typed without the accent
    expect(names).to_have_count(2)
    expect(names).to_have_text(["Claire Dubois", "Luc Gagnon"])
    pg.select_option("#id_country", "CA")
    expect(names).to_have_text(["Luc Gagnon"])
    expect(pg).to_have_url(re.compile(r"/contacts/\?q=ecologie&country=CA$"))
    assert pg.evaluate("window.relanceMarker") == "same page"
    expect(pg.locator("#result-count")).to_contain_text("1 contact")

    # The URL alone brings back the same results and the same form.
    pg.reload()
    assert pg.evaluate("window.relanceMarker") is None
    expect(names).to_have_text(["Luc Gagnon"])
    expect(pg.locator("#id_q")).to_have_value("ecologie")
    expect(pg.locator("#id_country")).to_have_value("CA")

    # Sorting by a column header swaps the rows in place too.
    pg.evaluate("window.relanceMarker = 'again'")
    pg.select_option("#id_country", "")
    expect(names).to_have_text(["Claire Dubois", "Luc Gagnon"])
    pg.get_by_role("link", name="Name").click()
    expect(names).to_have_text(["Luc Gagnon", "Claire Dubois"])
    expect(pg).to_have_url(re.compile(r"sort=-name"))
    assert pg.evaluate("window.relanceMarker") == "again"


def test_edit_a_contact_and_add_a_primary_phone(signed_in, media):
    dubois = media["dubois"]
    pg = signed_in("manager")
    pg.goto(f"/contacts/{dubois.pk}/")
    pg.get_by_role("link", name="Edit", exact=True).click()
    expect(pg).to_have_url(re.compile(rf"/contacts/{dubois.pk}/edit/$"))

    pg.fill("#id_title", "Grand reporter")
    phones = pg.locator("#phones [data-row]")
    before = phones.count()
    pg.get_by_role("button", name="Add a phone number").click()
    expect(phones).to_have_count(before + 1)
    new_row = phones.last
    new_row.locator("input[name=phones-number]").fill("07 98 76 54 32")
    new_row.locator("input[name=phones-label]").fill("mobile")
    new_row.get_by_label("Primary").check()
    pg.click("#save")

    expect(pg).to_have_url(re.compile(rf"/contacts/{dubois.pk}/$"))
    expect(pg.locator("h1 + p")).to_contain_text("Grand reporter")
    primary = pg.locator("#h-reach ~ dl li", has_text="Primary")
    expect(primary).to_contain_text("07 98 76 54 32")
    expect(pg.locator("#h-reach ~ dl")).to_contain_text("06 12 34 56 78")
    dubois.refresh_from_db()
    assert dubois.phones.get(is_primary=True).number == "+33798765432"

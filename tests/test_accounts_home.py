"""The home dashboard, per role, with a pinned number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relance.audit import services as audit
from relance.contacts.models import Contact, MediaList, Outlet, Relationship


def make_contact(last_name: str, first_name: str = "Claire", outlet=None) -> Contact:
    # Plain rows: this file tests the dashboard, not the contact services.
    return Contact.objects.create(first_name=first_name, last_name=last_name, outlet=outlet)


@pytest.fixture
def media(cast):
    """A small media database with relationships for the officer."""
    officer = cast["officer"]
    lyon = Outlet.objects.create(name="Le Courrier de Lyon", kind="print")
    claire = make_contact("Dubois", outlet=lyon)
    paul = make_contact("Martin", "Paul")
    make_contact("Roy", "Lise")
    Relationship.objects.create(contact=claire, user=officer, strength=3)
    Relationship.objects.create(contact=paul, user=officer, strength=1)  # too weak to list
    MediaList.objects.create(name="Salons auto", kind="static")
    audit.record(officer, "create", claire)
    audit.record(officer, "update", lyon, changes={"name": ["Courrier", "Le Courrier de Lyon"]})
    return {"claire": claire, "paul": paul, "lyon": lyon}


def test_home_needs_a_signed_in_user(db):
    response = Client().get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_media_roles_see_counts_their_contacts_recent_changes_and_activity(media, login):
    response = login("officer").get(reverse("home"))
    assert response.status_code == 200
    ctx = response.context
    assert ctx["counts"] == {"contacts": 3, "outlets": 1, "lists": 1}
    assert [r.contact.last_name for r in ctx["my_contacts"]] == ["Dubois"]
    assert {c.last_name for c in ctx["recent_contacts"]} == {"Dubois", "Martin", "Roy"}
    assert ctx["activity"] and all(
        item["entry"].target_type in {"contact", "outlet", "show", "medialist"}
        for item in ctx["activity"]
    )
    html = response.content.decode()
    assert "Claire Dubois" in html and "Le Courrier de Lyon" in html
    assert "3/3" in html


def test_activity_is_limited_to_media_entries_without_the_audit_capability(media, cast, login):
    audit.record(cast["director"], "password_change", cast["director"])
    officer_activity = login("officer").get(reverse("home")).context["activity"]
    assert "password_change" not in {i["entry"].action for i in officer_activity}
    director_page = login("director").get(reverse("home"))
    assert "password_change" in {i["entry"].action for i in director_page.context["activity"]}
    assert reverse("audit_log") in director_page.content.decode()


def test_client_viewers_see_their_client_and_nothing_of_the_media_database(media, login):
    response = login("viewer").get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Éolia Énergies" in html
    for secret in ["Dubois", "Martin", "Courrier de Lyon", "Salons auto"]:
        assert secret not in html
    assert "counts" not in response.context
    assert "recent_contacts" not in response.context


def count_home_queries(http) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(reverse("home")).status_code == 200
    return len(queries)


def test_home_makes_a_fixed_number_of_queries(media, cast, login):
    http = login("officer")
    http.get(reverse("home"))  # warm up (session, content types)
    before = count_home_queries(http)
    officer = cast["officer"]
    for n in range(15):
        extra = make_contact(f"Extra{n}", outlet=media["lyon"])
        Relationship.objects.create(contact=extra, user=officer, strength=2)
        audit.record(officer, "create", extra)
    assert count_home_queries(http) == before
    assert before <= 9


def test_home_has_a_quick_search_on_the_contacts_page(media, login):
    html = login("officer").get(reverse("home")).content.decode()
    assert f'action="{reverse("contacts:contact_list")}"' in html and 'name="q"' in html

"""Roles without export rights (interns, community managers) cannot turn the
API into an export: small pages, the first 100 results of a search, and an
hourly budget of contact records (see relance/api/limits.py)."""

# The fixtures imported from api_fixtures are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

import pytest

from relance.contacts.models import Contact
from relance.contacts.services.contacts import reindex_ids

from .api_fixtures import api, media, tokens  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(media):
    """130 more contacts at the Lyon daily."""
    contacts = Contact.objects.bulk_create(
        Contact(first_name="P", last_name=f"Nom{i:03}", outlet=media.lyon) for i in range(130)
    )
    reindex_ids([c.pk for c in contacts])
    return contacts


def test_interns_read_small_pages_and_only_the_first_results(api, crowd):
    page = api("intern").get("/contacts", page_size=100).json()
    assert page["page_size"] == 25 and len(page["results"]) == 25
    assert page["count"] == 133  # the count is not hidden, only the rows
    assert "page_size=25" in page["next"]
    fourth = api("intern").get("/contacts", page=4, page_size=25).json()
    assert len(fourth["results"]) == 25
    assert fourth["next"] is None  # a client following `next` stops here
    response = api("intern").get("/contacts", page=5, page_size=25)
    assert response.status_code == 403
    assert "refine" in response.json()["detail"]
    # Same rule for community managers, and through the members of a list.
    assert api("cm").get("/contacts", page=5).status_code == 403
    smart = (
        api("intern")
        .post("/lists", {"name": "Lyon", "kind": "smart", "filters": {"country": "FR"}})
        .json()
    )
    assert api("intern").get(f"/lists/{smart['id']}/contacts", page=5).status_code == 403


def test_roles_allowed_to_export_are_not_limited(api, crowd):
    for who in ("officer", "manager", "director"):
        page = api(who).get("/contacts", page_size=100, page=2).json()
        assert page["page_size"] == 100 and len(page["results"]) == 33


def test_contact_reads_have_an_hourly_budget(api, crowd, settings):
    settings.RELANCE_API_CONTACT_READS_PER_HOUR = 60
    intern = api("intern")
    assert intern.get("/contacts", page_size=25).status_code == 200
    assert intern.get("/contacts", page=2, page_size=25).status_code == 200
    # Walking ids one by one counts too.
    for contact in crowd[:10]:
        assert intern.get(f"/contacts/{contact.pk}").status_code == 200
    response = intern.get(f"/contacts/{crowd[10].pk}")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "export" in response.json()["detail"]
    # Other people's budgets are their own; exporting roles have none.
    assert api("cm").get("/contacts").status_code == 200
    for _ in range(5):
        assert api("officer").get("/contacts", page_size=100).status_code == 200

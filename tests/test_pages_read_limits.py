"""Roles without export rights cannot page their way through the media
database either: the pages apply the same limits as the API (small pages,
the first 100 results of a search, one hourly budget of contact records
shared with the API; relance/contacts/services/reads.py)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from relance.contacts.models import Contact, Outlet
from relance.contacts.services.contacts import reindex_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(cast):
    """130 contacts at one daily."""
    daily = Outlet.objects.create(name="Le Quotidien de Lyon", kind="print", periodicity="daily")
    contacts = Contact.objects.bulk_create(
        Contact(first_name="P", last_name=f"Nom{i:03}", outlet=daily) for i in range(130)
    )
    reindex_ids([c.pk for c in contacts])
    return contacts


def rows(response) -> int:
    return len(re.findall(r"<tr data-contact=", response.content.decode()))


def test_interns_read_small_pages_and_only_the_first_results(login, crowd):
    http = login("intern")
    assert rows(http.get("/contacts/?size=200")) == 25
    deep = http.get("/contacts/?size=25&page=9")
    page = deep.content.decode()
    assert rows(deep) == 25 and "Page 4" in page  # the last page they may read
    assert "refine the search" in page and 'rel="next"' not in page
    # The same on an outlet's page and a list's page.
    outlet = crowd[0].outlet_id
    assert rows(http.get(reverse("contacts:outlet_detail", args=[outlet]) + "?page=9")) <= 25


def test_roles_allowed_to_export_page_freely(login, crowd):
    http = login("officer")
    assert rows(http.get("/contacts/?size=100&page=2")) == 30
    assert 'rel="next"' in http.get("/contacts/?size=25&page=4").content.decode()


def test_the_hourly_budget_is_shared_with_the_api_and_counts_contact_pages(
    login, crowd, settings, cast
):
    from relance.accounts.models import ApiToken

    settings.RELANCE_API_CONTACT_READS_PER_HOUR = 40
    http = login("intern")
    assert http.get("/contacts/?size=25").status_code == 200
    for contact in crowd[:10]:
        assert http.get(reverse("contacts:contact_detail", args=[contact.pk])).status_code == 200
    _row, token = ApiToken.issue(cast["intern"], "script")
    api = http.get(f"/api/v1/contacts/{crowd[11].pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200  # 36 read so far
    over = http.get("/contacts/?size=25&page=2")
    assert over.status_code == 429
    assert int(over["Retry-After"]) > 0
    assert "ask a manager for an export" in over.content.decode()
    # Exporting roles have no budget.
    assert login("manager").get("/contacts/?size=200").status_code == 200

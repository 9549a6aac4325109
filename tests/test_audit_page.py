"""The audit trail page: who may see it, filters, paging, readable changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from relance.audit import services as audit
from relance.audit.models import AuditEntry
from relance.audit.views import PAGE_SIZE
from relance.contacts.models import Contact, Outlet

URL = reverse("audit_log")


@pytest.fixture
def trail(cast):
    """A few entries by different people, on different days."""
    claire = Contact.objects.create(first_name="Claire", last_name="Dubois")
    lyon = Outlet.objects.create(name="Le Courrier de Lyon", kind="print")
    entries = [
        audit.record(cast["officer"], "create", claire),
        audit.record(
            cast["manager"],
            "update",
            claire,
            changes=audit.diff({"vip": False, "title": ""}, {"vip": True, "title": "Cheffe"}),
        ),
        audit.record(cast["manager"], "delete", lyon),
        audit.record(None, "opt_out", claire, changes={"by": "journalist"}),
    ]
    days = [dt.datetime(2026, 3, d, 10, 0, tzinfo=dt.UTC) for d in (2, 3, 4, 5)]
    for entry, day in zip(entries, days, strict=True):
        AuditEntry.objects.filter(pk=entry.pk).update(at=day)
    return entries


def labels(response) -> list[str]:
    return [(r["entry"].action, r["entry"].actor_label) for r in response.context["rows"]]


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("director", 200),
        ("manager", 200),
        ("officer", 403),
        ("intern", 403),
        ("cm", 403),
        ("viewer", 403),
    ],
)
def test_only_directors_and_managers_see_the_audit_trail(cast, login, username, status):
    response = login(username).get(URL)
    assert response.status_code == status
    if status == 403:
        assert "403.html" in [t.name for t in response.templates]


def test_visitors_are_sent_to_login(db):
    from django.test import Client

    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_lists_entries_newest_first_with_readable_changes(trail, login):
    response = login("director").get(URL)
    assert labels(response) == [
        ("opt_out", "system"),
        ("delete", "manager"),
        ("update", "manager"),
        ("create", "officer"),
    ]
    html = response.content.decode()
    # Field names come from the model's verbose names; old and new values side by side.
    assert "VIP" in html and "<del>no</del> → <ins>yes</ins>" in html
    assert "<del>—</del> → <ins>Cheffe</ins>" in html
    assert "deleted" in html and "outlet" in html and "Le Courrier de Lyon" in html


def test_filters_by_actor_action_target_and_dates(trail, cast, login):
    http = login("manager")
    by_manager = http.get(URL, {"actor": cast["manager"].pk})
    assert labels(by_manager) == [("delete", "manager"), ("update", "manager")]
    assert labels(http.get(URL, {"action": "update"})) == [("update", "manager")]
    assert labels(http.get(URL, {"target_type": "outlet"})) == [("delete", "manager")]
    in_range = http.get(URL, {"since": "2026-03-03", "until": "2026-03-04"})
    assert labels(in_range) == [("delete", "manager"), ("update", "manager")]
    both = http.get(URL, {"actor": cast["manager"].pk, "target_type": "contact"})
    assert labels(both) == [("update", "manager")]


def test_the_filter_form_offers_the_actions_and_targets_present(trail, login):
    form = login("director").get(URL).context["form"]
    assert ("update", "changed") in [(v, str(label)) for v, label in form.fields["action"].choices]
    assert ("outlet", "outlet") in [
        (v, str(label)) for v, label in form.fields["target_type"].choices
    ]


def test_bad_filters_are_explained_not_a_crash(trail, login):
    response = login("director").get(URL, {"since": "2026-03-05", "until": "2026-03-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["until"]
    assert response.context["rows"] == []
    response = login("director").get(URL, {"action": "launch_rockets", "since": "yesterday"})
    assert response.status_code == 200 and response.context["form"].errors


def test_pages_keep_the_filters(cast, login):
    officer = cast["officer"]
    for n in range(PAGE_SIZE + 5):
        audit.record(officer, "create", target_type="contact", target_label=f"Contact {n}")
    audit.record(cast["manager"], "delete", target_type="contact", target_label="Other")
    http = login("director")
    first = http.get(URL, {"actor": officer.pk})
    assert len(first.context["rows"]) == PAGE_SIZE
    next_link = "?" + urlencode({"actor": officer.pk, "page": 2})
    assert next_link.replace("&", "&amp;") in first.content.decode()
    second = http.get(URL + next_link)
    assert len(second.context["rows"]) == 5
    assert {r["entry"].actor_label for r in second.context["rows"]} == {"officer"}


def test_htmx_requests_get_only_the_results(trail, login):
    response = login("director").get(URL, {"action": "delete"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="audit-results"')
    assert "<html" not in html and "Le Courrier de Lyon" in html

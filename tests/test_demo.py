"""The demo agency: believable, deterministic, idempotent, and stored exactly
as the services would store it (derived columns, full-text index), on
whichever engine the run uses."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import phonenumbers
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Prefetch

from relance.accounts.models import Agency, Client, User
from relance.contacts.documents import (
    contact_document,
    contact_name_key,
    outlet_document,
    outlet_name_key,
)
from relance.contacts.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    MediaList,
    Outlet,
    Relationship,
    Show,
)
from relance.contacts.services.contacts import facts_of
from relance.demo import DEMO_AGENCY_NAME, DEMO_PASSWORD, DEMO_SOURCE, fts
from relance.demo.builder import build_demo
from relance.demo.catalog import Catalog
from relance.demo.pools import HashKeys, name_pools, phone_pool

pytestmark = pytest.mark.django_db

SIZE = 300


@pytest.fixture
def demo():
    return build_demo(SIZE, seed=42)


def snapshot() -> list[tuple[str, str, str, str]]:
    """Names, role and primary address of every contact, in creation order."""
    primary = dict(
        ContactEmail.objects.filter(is_primary=True).values_list("contact_id", "address")
    )
    return [
        (c.first_name, c.last_name, c.role, primary.get(c.pk, ""))
        for c in Contact.objects.order_by("id")
    ]


def assert_derived_columns_match_services() -> None:
    contacts = Contact.objects.select_related("outlet", "show").prefetch_related(
        "beats",
        "emails",
        Prefetch(
            "relationships",
            queryset=Relationship.objects.filter(strength__gte=1).only("contact_id", "user_id"),
        ),
    )
    for c in contacts:
        assert c.search_document == contact_document(facts_of(c)), c.pk
        assert c.name_key == contact_name_key(c.first_name, c.last_name), c.pk
    for o in Outlet.objects.all():
        assert o.search_document == outlet_document(o.name, o.city, o.region, o.editorial_line)
        assert o.name_key == outlet_name_key(o.name)


def fulltext_ids(term: str) -> set[int]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # The index's rowid is whatever its insert trigger stores for a
            # contact (its id, or a rank holding it): map matches back.
            index = fts.read_schema(cursor.cursor)
            rowid = fts.rowid_sql(index.index) if index else None
            assert rowid, "the full-text insert trigger is not of a known shape"
            cursor.execute(
                f"SELECT new.id FROM contacts_contact AS new WHERE {rowid} IN"
                " (SELECT rowid FROM contacts_contact_fts WHERE contacts_contact_fts MATCH %s)",
                [term],
            )
        else:
            cursor.execute(
                "SELECT id FROM contacts_contact"
                " WHERE to_tsvector('simple', search_document) @@ to_tsquery('simple', %s)",
                [term],
            )
        return {row[0] for row in cursor.fetchall()}


def test_team_roles_and_clients(demo):
    assert Agency.objects.get().name == DEMO_AGENCY_NAME
    roles = Counter(User.objects.values_list("role", flat=True))
    assert roles == {
        "director": 1,
        "manager": 2,
        "press_officer": 3,
        "intern": 1,
        "community_manager": 1,
        "client_viewer": 2,
    }
    assert set(User.objects.values_list("language", flat=True)) == {"fr"}
    director = User.objects.get(username="directrice")
    assert director.check_password(DEMO_PASSWORD)
    intern = User.objects.get(role="intern")
    officers = User.objects.filter(role="press_officer")
    assert all(intern.daily_call_capacity < o.daily_call_capacity for o in officers)
    assert Client.objects.count() == 2
    for viewer in User.objects.filter(role="client_viewer"):
        assert viewer.client_id is not None
    assert {login.username for login in demo.logins} == set(
        User.objects.values_list("username", flat=True)
    )


def test_outlets_of_france_and_quebec_with_shows(demo):
    assert Outlet.objects.count() == 300
    countries = Counter(Outlet.objects.values_list("country", flat=True))
    assert countries["FR"] > 150 and countries["CA"] > 50
    assert Outlet.objects.filter(region="QC", timezone="America/Montreal").exists()
    assert Outlet.objects.filter(country="FR").exclude(timezone="Europe/Paris").count() == 0
    assert set(Outlet.objects.values_list("kind", flat=True)) >= {
        "print",
        "tv",
        "radio",
        "web",
        "podcast",
        "blog",
        "wire",
    }
    stations = Outlet.objects.filter(kind__in=["tv", "radio"]).annotate(n=Count("shows"))
    assert stations.exists()
    for station in stations:
        assert 2 <= station.n <= 5, station.name
    show = Show.objects.filter(outlet__kind="radio").first()
    assert show.air_days and show.air_start < show.air_end
    print_ = Outlet.objects.filter(kind="print")
    assert not print_.filter(periodicity="weekly", closing_weekday__isnull=True).exists()
    assert not print_.filter(periodicity="monthly", lead_time_days__isnull=True).exists()
    assert all(w.endswith(".example") for w in Outlet.objects.values_list("website", flat=True))


def test_contacts_are_believable_and_fictitious(demo):
    assert Contact.objects.count() == SIZE
    assert set(Contact.objects.values_list("source", flat=True)) == {DEMO_SOURCE}
    # A small base holds the first positions of each newsroom: editors, TV
    # and radio desks, the shows' researchers.
    roles = Counter(Contact.objects.values_list("role", flat=True))
    assert {"editor", "assignment_editor", "researcher", "host"} <= set(roles)
    assert Contact.objects.filter(show__isnull=False, role__in=["host", "researcher"]).exists()
    for address in ContactEmail.objects.values_list("address", flat=True):
        assert address.endswith(".example"), address
    assert ContactEmail.objects.filter(is_primary=True).count() == SIZE
    for number in ContactPhone.objects.values_list("number", flat=True):
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
    beats = Counter(Contact.objects.annotate(n=Count("beats")).values_list("n", flat=True))
    assert set(beats) <= {1, 2, 3}
    assert Relationship.objects.filter(user__role__in=["director", "manager"]).exists()
    assert Contact.objects.filter(language="fr").count() > SIZE * 0.8


def test_derived_columns_are_the_services(demo):
    assert_derived_columns_match_services()


def test_fulltext_finds_by_beat_without_accents(demo):
    beat_contacts = set(
        Contact.objects.filter(beats__name="Énergie").values_list("id", flat=True)
    ) or set(Contact.objects.filter(beats__name="Économie").values_list("id", flat=True))
    term = "energie" if Contact.objects.filter(beats__name="Énergie").exists() else "economie"
    assert beat_contacts
    assert beat_contacts <= fulltext_ids(term)
    some = Contact.objects.order_by("id").first()
    assert some.pk in fulltext_ids(contact_name_key("", some.last_name).split()[0])


def test_idempotent(demo):
    before = (Contact.objects.count(), Outlet.objects.count(), User.objects.count())
    emails = ContactEmail.objects.count()
    again = build_demo(SIZE, seed=42)
    assert again.added == 0
    assert (Contact.objects.count(), Outlet.objects.count(), User.objects.count()) == before
    assert ContactEmail.objects.count() == emails
    assert MediaList.objects.count() == 3


def test_same_seed_same_contacts_and_bulk_path_same_rows(demo):
    """Deterministic: the same seed gives the same people in the same order,
    whether the load keeps the indexes or takes the bulk path (dropped
    indexes and triggers, full-text index built in a parallel thread)."""
    first = snapshot()
    Contact.objects.all().delete()
    MediaList.objects.all().delete()
    build_demo(SIZE, seed=42, strategy="bulk")
    assert snapshot() == first
    assert_derived_columns_match_services()
    energy = set(Contact.objects.filter(beats__name="Énergie").values_list("id", flat=True))
    assert energy and energy <= fulltext_ids("energie")
    assert (
        len(fulltext_ids("zqrolejournalist")) == Contact.objects.filter(role="journalist").count()
    )
    Contact.objects.all().delete()
    build_demo(SIZE, seed=7)
    assert snapshot() != first


def superuser() -> bool:
    """PostgreSQL: a second session is used only when foreign-key checks
    may be skipped (session_replication_role)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_bulk_path_outside_a_transaction_same_rows():
    """Outside any transaction the bulk path works on both cores (SQLite:
    contacts and full-text index built in scratch databases and copied;
    PostgreSQL: the other tables in a second session) and stores the same
    rows as the simple path."""
    messages: list[str] = []
    build_demo(SIZE, seed=42, strategy="bulk", progress=messages.append)
    if connection.vendor == "sqlite" or superuser():
        assert any("parallel" in m for m in messages), messages
    bulk = snapshot()
    assert len(bulk) == SIZE
    assert ContactEmail.objects.filter(is_primary=True).count() == SIZE
    assert_derived_columns_match_services()
    assert (
        len(fulltext_ids("zqrolejournalist")) == Contact.objects.filter(role="journalist").count()
    )
    Contact.objects.all().delete()
    MediaList.objects.all().delete()
    build_demo(SIZE, seed=42, strategy="simple")
    assert snapshot() == bulk


def test_bigger_build_adds_without_duplicates(demo):
    result = build_demo(SIZE + 150, seed=42)
    assert result.added == 150
    assert Contact.objects.count() == SIZE + 150
    duplicated = ContactEmail.objects.values("address").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicated.exists()
    assert_derived_columns_match_services()


def test_lists(demo):
    smart = MediaList.objects.get(kind="smart", name__startswith="Héliande")
    assert smart.filters["q"] == "énergie"
    assert smart.filters["role"] in ("journalist", ["journalist"])
    static = MediaList.objects.get(kind="static")
    assert static.members.exists()


def test_pools_are_deterministic_and_safe():
    assert name_pools(42)["fr"][0].names == name_pools(42)["fr"][0].names
    assert name_pools(42)["fr"][1].names != name_pools(43)["fr"][1].names
    for numbers in phone_pool(42, 300).values():
        for number in numbers:
            assert phonenumbers.is_valid_number(phonenumbers.parse(number)), number
    outlets = Catalog(42).outlets(400)
    assert [o.name for o in outlets[:300]] == [o.name for o in Catalog(42).outlets(300)]
    assert len({o.domain for o in outlets}) == 400
    keys = HashKeys.from_seed(42, 2)
    assert keys.value(10, 0) == HashKeys.from_seed(42, 2).value(10, 0)


def test_demo_command_prints_the_logins(capsys):
    call_command("demo", contacts=60, no_serve=True, verbosity=0)
    out = capsys.readouterr().out
    assert "directrice" in out and DEMO_PASSWORD in out and "client_viewer" in out
    assert Contact.objects.count() == 60


def test_documents_out_of_step_are_recomputed_by_the_services(monkeypatch):
    """If documents.py changes in a way the SQL generator does not know, the
    build notices on its sample and lets the services recompute."""
    from relance.demo import sqlgen

    monkeypatch.setattr(sqlgen, "DOCUMENT_SQL", "'stale document'")
    messages: list[str] = []
    build_demo(80, seed=42, progress=messages.append)
    assert any("out of step" in m for m in messages)
    assert_derived_columns_match_services()
    assert not fulltext_ids("stale")


def test_campaigns_in_every_state_with_their_outcomes(demo):
    from relance.campaigns.models import Campaign, Recipient
    from relance.outreach.models import InboundMessage, OutboxMessage

    campaigns = Campaign.objects.all()
    assert set(campaigns.values_list("status", flat=True)) == {"draft", "scheduled", "sent"}
    assert set(campaigns.values_list("kind", flat=True)) == {"release", "event", "press_conference"}
    assert {c.client.name for c in campaigns} == {"Héliande Énergies", "Maison Boréalie"}
    sent = campaigns.filter(status="sent")
    assert not OutboxMessage.objects.filter(campaign__in=sent, state="queued").exists()
    kinds = set(InboundMessage.objects.values_list("kind", flat=True))
    assert kinds == {"bounce", "reply", "auto_reply"}
    # What came back is where a press officer looks for it.
    for bounce in InboundMessage.objects.filter(kind="bounce"):
        assert bounce.contact.emails.get(address=bounce.recipient).status == "bounced"
        assert Recipient.objects.get(outbox=bounce.outbox).state == "bounced"
    away = InboundMessage.objects.filter(kind="auto_reply").first()
    assert away.contact.paused_until == away.return_date
    assert (
        Recipient.objects.exclude(replied_at=None).count()
        == InboundMessage.objects.filter(kind="reply").count()
    )
    assert Recipient.objects.exclude(rsvp="").exists()
    scheduled = campaigns.get(status="scheduled")
    assert OutboxMessage.objects.filter(campaign=scheduled, state="queued").exists()
    # A second build adds nothing.
    counts = (Campaign.objects.count(), Recipient.objects.count(), InboundMessage.objects.count())
    build_demo(SIZE, seed=42)
    assert (
        Campaign.objects.count(),
        Recipient.objects.count(),
        InboundMessage.objects.count(),
    ) == counts


def test_follow_up_history_and_todays_calls():
    """On first login the call desk is alive: calls already made across
    clients, journalists near their caps, and calls today for the callers
    of the release sent on the last working day."""
    import time_machine

    from relance.accounts.models import User
    from relance.followups import services
    from relance.followups.models import FollowUp
    from relance.interactions.models import Interaction

    with time_machine.travel(datetime(2026, 12, 8, 7, 0, tzinfo=UTC), tick=False):
        build_demo(SIZE, seed=42)
        done = FollowUp.objects.filter(state="done")
        assert done.exists()
        calls = Interaction.objects.filter(channel="phone", direction="out")
        assert calls.order_by().values("campaign__client").distinct().count() == 2
        pressure = services.pressure(calls.values_list("contact_id", flat=True))
        assert max(p.calls_week for p in pressure.values()) >= 2
        today = {u.username: len(services.my_calls(u)) for u in User.objects.all()}
        assert today["marc"] > 0 and today["julie"] + today["lucas"] > 0
        # A second build makes no second history.
        build_demo(SIZE, seed=42)
        assert FollowUp.objects.filter(state="done").count() == done.count()


def test_coverage_found_by_monitoring_and_reviewed(settings, tmp_path):
    """The demo's sent campaigns have coverage: proposed by matching from
    the outlets' feed files, mostly reviewed, some still in the queue,
    attributed to the journalists who received the release; and a segment
    and a clipping added by hand."""
    from relance.coverage.models import Article, CoverageItem

    settings.DATA_DIR = tmp_path
    build_demo(SIZE, seed=42)
    found = CoverageItem.objects.filter(source="feed")
    assert found.filter(status="confirmed").exists()
    assert found.filter(status="candidate").exists()  # the queue is not empty
    assert found.filter(contact__isnull=False).count() == found.count()
    for item in found.select_related("campaign", "contact"):
        # Bylined by someone who received that campaign.
        assert item.campaign.recipients.filter(contact=item.contact).exists()
    assert CoverageItem.objects.filter(source__in=["file", "manual"]).count() == 2
    assert Article.objects.filter(duplicate_of__isnull=False).exists()  # the wire copy
    assert any(tmp_path.joinpath("demo", "feeds").glob("outlet-*.xml"))
    count = CoverageItem.objects.count()
    build_demo(SIZE, seed=42)
    assert CoverageItem.objects.count() == count


def test_a_demo_campaign_s_report_in_html_and_pdf(settings, tmp_path):
    """The report a newcomer opens first: a sent demo campaign's, with its
    coverage, charts and follow-ups; the PDF's first page is drawn."""
    import pypdfium2

    from relance.campaigns.models import Campaign
    from relance.reports import report

    settings.DATA_DIR = tmp_path
    build_demo(SIZE, seed=42)
    campaign = (
        Campaign.objects.filter(status="sent", coverage__status="confirmed").distinct().first()
    )
    assert campaign is not None
    html = report.campaign_html(campaign)
    assert campaign.title in html and html.count("<svg") >= 4
    confirmed = campaign.coverage.filter(status="confirmed").first()
    assert confirmed.title.replace("'", "&#x27;") in html
    assert "Retombées" in html  # the client's language: French
    image = pypdfium2.PdfDocument(report.campaign_pdf(campaign))[0].render(scale=0.4).to_pil()
    grey = image.convert("L")
    assert sum(1 for v in grey.get_flattened_data() if v < 200) > 0.01 * grey.width * grey.height

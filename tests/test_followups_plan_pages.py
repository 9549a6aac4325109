"""The manager's follow-up pages: a campaign's plan (save, send the e-mail
follow-ups), the policy settings, the check-in at the door, the overview,
and the pressure shown on contacts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from relance.accounts.models import Client
from relance.audit.models import AuditEntry
from relance.campaigns.models import Recipient
from relance.contacts.models import ContactEmail
from relance.followups import checkin, services
from relance.followups.models import FollowUp, FollowUpPolicy, FollowUpState
from relance.followups.policy import Policy, settings_fields
from relance.interactions import services as interactions
from relance.interactions.models import Interaction
from relance.outreach.models import OutboxKind, OutboxMessage
from tests import factories

PARIS = ZoneInfo("Europe/Paris")
SENT = datetime(2026, 3, 9, 10, tzinfo=PARIS)  # a Monday
TUESDAY = datetime(2026, 3, 10, 9, 0, tzinfo=PARIS)
WEDNESDAY = datetime(2026, 3, 11, 10, 0, tzinfo=PARIS)
HTMX = {"HX-Request": "true"}


@pytest.fixture
def sent_release(cast):
    """A release sent on Monday: Claire and Paul at a daily, Léa (no calls)
    at a weekly, Jean with no outlet."""
    manager = cast["manager"]
    daily = factories.outlet(manager, "Le Courrier de Lyon", periodicity="daily")
    weekly = factories.outlet(manager, "L'Hebdo du Rhône", periodicity="weekly", closing_weekday=4)
    people = [
        factories.contact(
            manager, "Dubois", outlet_id=daily.pk, emails=["claire@courrier.example"],
            phones=["+33 4 78 00 00 01"],
        ),
        factories.contact(
            manager, "Martin", first_name="Paul", outlet_id=daily.pk,
            emails=["paul@courrier.example"], phones=["+33 4 78 00 00 02"],
        ),
        factories.contact(
            manager, "Roux", first_name="Léa", outlet_id=weekly.pk, emails=["lea@hebdo.example"],
            phones=["+33 4 78 00 00 03"], accepts_phone=False,
        ),
        factories.contact(
            manager, "Petit", first_name="Jean", emails=["jean@free.example"],
            phones=["+33 6 00 00 00 04"],
        ),
    ]  # fmt: skip
    brief = factories.campaign(manager, manager=manager.username)
    factories.message(manager, brief)
    for r in factories.recipients(manager, brief, people):
        r.state, r.sent_at = "sent", SENT
        r.save()
    brief.sent_at, brief.status = SENT, "sent"
    brief.save()
    return brief, people


def plan_url(brief, at: datetime | str | None = None) -> str:
    url = f"/campaigns/{brief.pk}/followups/"
    if at is None:
        return url
    return f"{url}?at={at.isoformat() if isinstance(at, datetime) else at}"


def text_of(response) -> str:
    return response.content.decode()


# --- The plan page ---------------------------------------------------------------------


def test_plan_page_shows_planned_and_skipped_with_reasons(sent_release, login):
    brief, _people = sent_release
    response = login("manager").get(plan_url(brief, TUESDAY))
    assert response.status_code == 200
    html = text_of(response)
    for name in ("Claire Dubois", "Léa Roux", "Jean Petit"):
        assert name in html
    # Every reason of a planned follow-up, and the channel and the window.
    assert "Daily or web: the next working morning" in html
    assert "Does not take calls: the release resent by e-mail, personalised." in html
    assert "09:30–11:30" in html
    # The skip, grouped by its code with its count and sentence.
    assert 'data-skip-count="outlet_already_planned">1<' in html
    assert 'id="skip-outlet_already_planned"' in html
    assert "Claire Dubois at the same outlet is followed up first" in html
    assert 'data-count="planned">3<' in html
    # Grouped by day: Tuesday for Claire, Wednesday for Léa's e-mail.
    assert "Tuesday 10 March 2026" in html and "Wednesday 11 March 2026" in html


def test_plan_at_another_moment_is_read_only(sent_release, login):
    brief, _ = sent_release
    http = login("manager")
    # Before the send: nothing to follow up yet.
    html = text_of(http.get(plan_url(brief, SENT - timedelta(days=1))))
    assert 'data-count="planned">0<' in html
    assert 'data-skip-count="not_sent">4<' in html
    assert "Save the plan for the call desk" not in html
    # "+" typed in an address bar arrives as a space: still understood.
    html = text_of(http.get(plan_url(brief, "2026-03-10T09:00:00 01:00")))
    assert "Claire Dubois at the same outlet" in html
    assert "is not usable" not in html


@pytest.mark.parametrize("bad", ["garbage", "2026-13-45T99:00", "1200-01-01T00:00", "2026-03-10T"])
def test_a_bad_at_is_a_message_not_a_500(sent_release, login, bad):
    brief, _ = sent_release
    response = login("manager").get(plan_url(brief, bad))
    assert response.status_code == 200
    html = text_of(response)
    assert "The moment to plan at (at) is not usable" in html
    assert "Save the plan for the call desk" in html  # shown as of now


def test_save_button_writes_the_rows_for_the_call_desk(sent_release, login):
    brief, (claire, _paul, lea, jean) = sent_release
    http = login("manager")
    with time_machine.travel(TUESDAY, tick=False):
        assert "Save the plan for the call desk" in text_of(http.get(plan_url(brief)))
        response = http.post(f"/campaigns/{brief.pk}/followups/save/", follow=True)
    assert response.status_code == 200
    assert "3 follow-ups saved for the call desk." in text_of(response)
    rows = {f.contact_id: f for f in FollowUp.objects.filter(campaign=brief)}
    assert set(rows) == {claire.pk, lea.pk, jean.pk}
    assert all(f.state == FollowUpState.PLANNED for f in rows.values())
    assert rows[lea.pk].channel == "email"


def test_who_may_see_and_save_the_plan(sent_release, login, cast):
    brief, _ = sent_release
    # The plan names journalists: a client viewer of this very client is refused.
    assert login("viewer").get(plan_url(brief)).status_code == 403
    # An intern reads it, with no button; a press officer not on the
    # campaign may not save it.
    html = text_of(login("intern").get(plan_url(brief)))
    assert "Claire Dubois" in html and "Save the plan for the call desk" not in html
    assert login("intern").post(f"/campaigns/{brief.pk}/followups/save/").status_code == 403
    assert "Save the plan for the call desk" not in text_of(login("officer").get(plan_url(brief)))
    assert login("officer").post(f"/campaigns/{brief.pk}/followups/save/").status_code == 403
    assert login("viewer").post(f"/campaigns/{brief.pk}/followups/save/").status_code == 403
    assert login("manager").get(f"/campaigns/{brief.pk}/followups/save/").status_code == 405
    assert not FollowUp.objects.exists()
    assert login("manager").get("/campaigns/999999/followups/").status_code == 404


def test_send_the_planned_email_follow_ups(
    sent_release, login, cast, django_capture_on_commit_callbacks
):
    brief, (_claire, _paul, lea, _jean) = sent_release
    manager = cast["manager"]
    other = factories.outlet(manager, "Le Mensuel Vert", periodicity="weekly")
    nina = factories.contact(
        manager, "Noir", first_name="Nina", outlet_id=other.pk, emails=["nina@vert.example"],
        accepts_phone=False,
    )  # fmt: skip
    for r in factories.recipients(manager, brief, [nina]):
        r.state, r.sent_at = "sent", SENT
        r.save()
    http = login("manager")
    with time_machine.travel(WEDNESDAY, tick=False):
        http.post(f"/campaigns/{brief.pk}/followups/save/")
        emails = FollowUp.objects.filter(campaign=brief, channel="email")
        assert set(emails.values_list("contact_id", flat=True)) == {lea.pk, nina.pk}
        # Nina's address bounced since the plan was saved: refused, named.
        ContactEmail.objects.filter(contact=nina).update(status="bounced")
        html = text_of(http.get(plan_url(brief)))
        assert "Send the planned e-mail follow-ups (2)" in html
        with django_capture_on_commit_callbacks(execute=False):
            response = http.post(f"/campaigns/{brief.pk}/followups/send/", follow=True)
    html = text_of(response)
    assert "1 e-mail follow-up queued." in html
    assert "Nina Noir: No e-mail can go to this contact (bounced)." in html
    mail = OutboxMessage.objects.get(kind=OutboxKind.FOLLOWUP)
    assert mail.contact_id == lea.pk and mail.to_address == "lea@hebdo.example"
    assert FollowUp.objects.get(campaign=brief, contact=lea).state == FollowUpState.DONE
    assert FollowUp.objects.get(campaign=brief, contact=nina).state == FollowUpState.PLANNED
    # An intern never sends in the agency's name.
    assert login("intern").post(f"/campaigns/{brief.pk}/followups/send/").status_code == 403


def test_email_follow_ups_are_not_sent_before_their_window(sent_release, login):
    brief, (_, _, lea, _) = sent_release
    http = login("manager")
    with time_machine.travel(TUESDAY, tick=False):
        http.post(f"/campaigns/{brief.pk}/followups/save/")
        assert "Send the planned e-mail" not in text_of(http.get(plan_url(brief)))
        response = http.post(f"/campaigns/{brief.pk}/followups/send/", follow=True)
    assert "No e-mail follow-up is due today" in text_of(response)
    assert FollowUp.objects.get(campaign=brief, contact=lea).state == FollowUpState.PLANNED


def test_capacity_cut_is_shown_as_a_line(sent_release, login, cast):
    brief, _people = sent_release
    manager = cast["manager"]
    # One caller who can make one call a day, and two dailies on Tuesday.
    for name in ("officer", "intern", "cm", "director", "manager"):
        cast[name].daily_call_capacity = 1 if name == "officer" else 0
        cast[name].save()
    second = factories.outlet(manager, "Le Quotidien du Sud", periodicity="daily")
    zoe = factories.contact(
        manager, "Zola", first_name="Zoé", outlet_id=second.pk, emails=["zoe@sud.example"],
        phones=["+33 4 91 00 00 09"],
    )  # fmt: skip
    for r in factories.recipients(manager, brief, [zoe]):
        r.state, r.sent_at = "sent", SENT
        r.save()
    # No slipping to the next mornings: the day is full or the call is cut.
    services.save_policy(cast["director"], {"late_days": 0})
    view = services.compute(brief, TUESDAY)
    cut = [s for s in view.plan.skipped if s.reason.code == "capacity"]
    assert [s.contact_id for s in cut] == [zoe.pk]
    html = text_of(login("manager").get(plan_url(brief, TUESDAY)))
    line = html.split('class="plan-cut"')[1]
    assert "Below this line: low priority, the team's calls are full — cut at priority 0.30" in line
    # Zoé is under the line, with her sentence, and counted with the skips.
    assert "Zoé Zola" in line.split("</ul>")[0]
    assert "the cut is at priority 0.30" in line
    assert 'data-skip-count="low_priority">1<' in html
    assert "and 1 below the capacity line, above" in html
    assert html.index("Claire Dubois") < html.index('class="plan-cut"')


# --- The policy page -----------------------------------------------------------------------


def policy_form(**changes: str) -> dict[str, str]:
    """The form as the page fills it (every field at its default), changed."""
    default = Policy()
    data = {}
    for spec in settings_fields():
        value = getattr(default, spec.name)
        data[spec.name] = f"{value:g}" if isinstance(value, float) else str(value)
    data.update(changes)
    return data


def test_policy_page_shows_each_setting_with_its_default(login):
    response = login("director").get("/settings/followups/")
    assert response.status_code == 200
    html = text_of(response)
    for spec in settings_fields():
        assert f'name="{spec.name}"' in html
    assert "Working days between two calls to one person" in html
    assert 'value="09:30-11:30"' in html  # dailies' hours, as text
    assert "Default: 3" in html
    for title in ("Timing", "Protecting journalists", "Who calls", "Priority"):
        assert title in html
    assert "/settings/followups/" in text_of(login("director").get("/settings/"))


def test_director_changes_days_between_calls_and_the_planner_follows(sent_release, login, cast):
    brief, (claire, *_rest) = sent_release
    interactions.log(
        cast["officer"],
        {"contact_id": claire.pk, "channel": "phone", "outcome": "note",
         "at": (SENT + timedelta(hours=2)).isoformat()},
        now=TUESDAY,
    )  # fmt: skip
    before = services.compute(brief, TUESDAY).plan.by_contact()[claire.pk]
    assert before.window_start.astimezone(PARIS).date().day == 12  # three working days later
    response = login("director").post(
        "/settings/followups/", policy_form(days_between_calls="0"), follow=True
    )
    assert response.status_code == 200
    assert "Follow-up policy saved." in text_of(response)
    assert FollowUpPolicy.objects.get().values == {"days_between_calls": 0}
    assert services.current_policy().days_between_calls == 0
    after = services.compute(brief, TUESDAY).plan.by_contact()[claire.pk]
    assert after.window_start.astimezone(PARIS).date().day == 10
    assert AuditEntry.objects.filter(action="followup_policy").exists()
    html = text_of(login("director").get("/settings/followups/"))
    assert re.search(r'name="days_between_calls"[^>]*value="0"', html)
    assert 'name="reset" value="days_between_calls"' in html


def test_a_bad_value_shows_the_field_error_and_saves_nothing(login):
    http = login("director")
    response = http.post(
        "/settings/followups/",
        policy_form(days_between_calls="abc", daily_hours="25:00-26:00", calls_per_period="4"),
    )
    assert response.status_code == 400
    html = text_of(response)
    assert "Nothing was saved: 2 settings need a correction." in html
    block = html.split('data-field="days_between_calls"')[1].split('data-field="')[0]
    assert "Enter a whole number." in block and 'value="abc"' in block
    block = html.split('data-field="daily_hours"')[1].split('data-field="')[0]
    assert "is not a time range like 09:30-11:30" in block
    assert not FollowUpPolicy.objects.exists()
    assert services.current_policy() == Policy()
    # Out of range, and a range checked across two fields.
    response = http.post("/settings/followups/", policy_form(calls_per_period="99"))
    assert response.status_code == 400
    assert "Between 1 and 10." in text_of(response)
    response = http.post("/settings/followups/", policy_form(weekly_days_max="1"))
    assert response.status_code == 400
    block = text_of(response).split('data-field="weekly_days_max"')[1].split('data-field="')[0]
    assert "Must not be before the first day." in block
    assert not FollowUpPolicy.objects.exists()


def test_reset_one_setting_or_all(login):
    http = login("director")
    http.post("/settings/followups/", policy_form(days_between_calls="1", calls_per_period="3"))
    assert services.current_policy().calls_per_period == 3
    http.post("/settings/followups/", {"reset": "calls_per_period"})
    policy = services.current_policy()
    assert policy.calls_per_period == 2 and policy.days_between_calls == 1
    assert http.post("/settings/followups/", {"reset": "nonsense"}).status_code == 302
    http.post("/settings/followups/", {"reset": "__all__"})
    assert services.current_policy() == Policy()


@pytest.mark.parametrize("who", ["officer", "manager", "intern", "viewer"])
def test_only_the_director_sets_the_policy(login, who):
    assert login(who).get("/settings/followups/").status_code == 403
    response = login(who).post("/settings/followups/", policy_form(days_between_calls="0"))
    assert response.status_code == 403
    assert not FollowUpPolicy.objects.exists()


# --- Check-in ----------------------------------------------------------------------------


@pytest.fixture
def event(cast):
    manager = cast["manager"]
    lyon = factories.outlet(manager, "Le Courrier de Lyon")
    brief = factories.campaign(
        manager,
        "Inauguration du parc éolien",
        kind="event",
        event_at=(timezone.now() + timedelta(hours=2)).isoformat(),
        event_place="Parc de la Crau",
    )
    people = {
        "yes": factories.contact(manager, "Dubois", outlet_id=lyon.pk),
        "maybe": factories.contact(manager, "Martin", first_name="Paul", outlet_id=lyon.pk),
        "none": factories.contact(manager, "Roux", first_name="Léa", outlet_id=lyon.pk),
        "no": factories.contact(manager, "Petit", first_name="Jean", outlet_id=lyon.pk),
        "opted": factories.contact(manager, "Secret", first_name="Sam", outlet_id=lyon.pk),
    }
    added = factories.recipients(manager, brief, list(people.values()))
    rows = dict(zip(people, added, strict=True))
    for key, r in rows.items():
        r.state, r.sent_at = "sent", timezone.now() - timedelta(days=5)
        r.rsvp = {"yes": "yes", "maybe": "maybe", "no": "no"}.get(key, "")
        r.guests = 1 if key == "yes" else 0
        r.save()
    people["opted"].opted_out = True
    people["opted"].save()
    return brief, people, rows


def test_checkin_page_lists_guests_in_door_order(event, login):
    brief, _people, _rows = event
    response = login("intern").get(f"/campaigns/{brief.pk}/checkin/")
    assert response.status_code == 200
    html = text_of(response)
    names = ("Claire Dubois", "Paul Martin", "Léa Roux")
    order = [html.index(f'data-name="{name}') for name in names]
    assert order == sorted(order)
    assert html.index("Léa Roux") < html.index('data-name="Jean Petit')
    # The opted-out guest: a name to tick, nothing more.
    sam = html.split('data-name="Sam Secret')[1].split("</li>")[0]
    assert "Le Courrier de Lyon" not in sam
    assert 'data-count="confirmed">1<' in html and 'data-count="came">0<' in html
    assert 'type="search"' in html


def test_checkin_marks_unmarks_and_counts(event, login, cast):
    brief, _people, rows = event
    http = login("intern")
    lea = rows["none"]
    url = f"/campaigns/{brief.pk}/checkin/{lea.pk}/"
    response = http.post(url, {"came": "1"}, headers=HTMX)
    assert response.status_code == 200
    html = text_of(response)
    assert f'id="arrival-{lea.pk}"' in html and 'aria-pressed="true"' in html
    assert 'hx-swap-oob="true"' in html and 'data-count="came">1<' in html
    assert 'data-count="unannounced">1<' in html
    lea.refresh_from_db()
    assert lea.attended_at is not None and lea.checked_in_by == cast["intern"]
    note = Interaction.objects.get(key=f"checkin:{lea.pk}")
    assert note.channel == "meeting" and note.direction == "in" and note.outcome == "note"
    assert AuditEntry.objects.filter(action="checkin").count() == 1
    # A second tap changes nothing and records nothing.
    http.post(url, {"came": "1"}, headers=HTMX)
    assert Interaction.objects.filter(key=f"checkin:{lea.pk}").count() == 1
    assert AuditEntry.objects.filter(action="checkin").count() == 1
    # The confirmed guest too, without htmx.
    response = http.post(f"/campaigns/{brief.pk}/checkin/{rows['yes'].pk}/", {"came": "1"})
    assert response.status_code == 302
    assert checkin.counts(brief) == {"confirmed": 1, "came": 2, "unannounced": 1, "expected": 2}
    # Undo a mistaken tap.
    response = http.post(url, {"came": "0"}, headers=HTMX)
    assert 'aria-pressed="false"' in text_of(response)
    lea.refresh_from_db()
    assert lea.attended_at is None and lea.checked_in_by is None
    assert not Interaction.objects.filter(key=f"checkin:{lea.pk}").exists()
    assert AuditEntry.objects.filter(action="checkin_undone").count() == 1
    assert checkin.counts(brief)["came"] == 1
    # The guest list shows who came.
    html = text_of(login("manager").get(f"/campaigns/{brief.pk}/guests/"))
    row = html.split('data-status="yes"')[1].split("</tr>")[0]
    assert "Came" in row


def test_checkin_refuses_cleanly(event, login, cast):
    brief, _people, rows = event
    url = f"/campaigns/{brief.pk}/checkin/{rows['none'].pk}/"
    assert login("viewer").get(f"/campaigns/{brief.pk}/checkin/").status_code == 403
    assert login("viewer").post(url, {"came": "1"}).status_code == 403
    response = login("officer").post(url, {"came": "maybe"}, headers=HTMX)
    assert response.status_code == 200 and "Say whether they came." in text_of(response)
    missing = f"/campaigns/{brief.pk}/checkin/999999/"
    assert login("officer").post(missing, {"came": "1"}).status_code == 404
    release = factories.campaign(cast["manager"], "Un communiqué")
    assert login("officer").get(f"/campaigns/{release.pk}/checkin/").status_code == 404
    rows["none"].refresh_from_db()
    assert rows["none"].attended_at is None


def test_campaign_page_links_to_follow_ups_and_check_in(event, sent_release, login):
    brief, _, _ = event
    release, _ = sent_release
    html = text_of(login("officer").get(f"/campaigns/{brief.pk}/"))
    assert f"/campaigns/{brief.pk}/followups/" in html and f"/campaigns/{brief.pk}/checkin/" in html
    html = text_of(login("officer").get(f"/campaigns/{release.pk}/"))
    assert f"/campaigns/{release.pk}/followups/" in html and "/checkin/" not in html
    html = text_of(login("viewer").get(f"/campaigns/{release.pk}/"))
    assert "/followups/" not in html


# --- Overview ------------------------------------------------------------------------------


def call(actor, contact, at, campaign=None, outcome="note"):
    data = {"contact_id": contact.pk, "channel": "phone", "outcome": outcome, "at": at.isoformat()}
    if campaign is not None:
        data["campaign_id"] = campaign.pk
    return interactions.log(actor, data, now=at + timedelta(minutes=1))


def test_overview_numbers(sent_release, login, cast, django_assert_max_num_queries):
    brief, (claire, _paul, lea, jean) = sent_release
    manager, officer = cast["manager"], cast["officer"]
    other_client = Client.objects.create(name="Brasserie Lumière")
    other = factories.campaign(manager, "Bière de printemps", client_id=other_client.pk)
    with time_machine.travel(TUESDAY + timedelta(minutes=40), tick=False):
        services.refresh(manager, brief)
        row = FollowUp.objects.get(campaign=brief, contact=claire)
        services.record_outcome(officer, row, "interested")
        services.claim(officer, FollowUp.objects.get(campaign=brief, contact=jean).pk)
        call(officer, jean, TUESDAY - timedelta(days=1), campaign=other)
        call(manager, jean, TUESDAY - timedelta(days=3))
        http = login("manager")
        http.get("/followups/overview/")  # warm the session
        with django_assert_max_num_queries(16):
            response = http.get("/followups/overview/")
    assert response.status_code == 200
    html = text_of(response)
    line = html.split(f'data-campaign="{brief.pk}"')[1].split("</tr>")[0]
    assert 'data-count="done">1<' in line and 'data-count="in_progress">1<' in line
    # Léa's e-mail and the re-planned Paul (the daily's slot passed to him).
    assert 'data-count="planned">2<' in line
    assert "Reached: interested 1" in line and "Officer" in line and "Phone" in line
    load = html.split('data-caller="officer"')[1].split("</tr>")[0]
    assert 'data-count="done">1<' in load
    # Claire's call (logged by the desk) once, Jean's twice, for two clients.
    solicited = html.split("Most called journalists this week")[1]
    jean_line = solicited.split(f'data-contact="{jean.pk}"')[1].split("</li>")[0]
    assert "called 2× by the agency" in jean_line and "Brasserie Lumière" in jean_line
    assert solicited.index("Jean Petit") < solicited.index("Claire Dubois")
    assert lea.full_name not in solicited


def test_overview_queries_do_not_grow_with_campaigns(sent_release, login, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    brief, people = sent_release
    http = login("director")
    with time_machine.travel(TUESDAY, tick=False):
        services.refresh(cast["manager"], brief)
        http.get("/followups/overview/")
        with CaptureQueriesContext(connection) as one:
            http.get("/followups/overview/")
        for n in range(3):
            more = factories.campaign(cast["manager"], f"Campagne {n}")
            for r in factories.recipients(cast["manager"], more, people):
                r.state, r.sent_at = "sent", SENT
                r.save()
            more.sent_at = SENT
            more.save()
            services.refresh(cast["manager"], more)
        with CaptureQueriesContext(connection) as four:
            response = http.get("/followups/overview/")
    assert response.status_code == 200 and "Campagne 2" in text_of(response)
    assert len(four.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize("who", ["officer", "intern", "viewer"])
def test_overview_is_for_managers_and_the_director(login, who):
    assert login(who).get("/followups/overview/").status_code == 403


# --- Pressure on contacts ------------------------------------------------------------------


def test_contact_page_and_search_show_the_pressure(sent_release, login, cast):
    brief, (claire, _paul, _lea, jean) = sent_release
    now = timezone.now()
    call(cast["officer"], jean, now - timedelta(days=2))
    call(cast["manager"], jean, now - timedelta(days=1))
    http = login("intern")
    html = text_of(http.get(f"/contacts/{jean.pk}/"))
    assert "called 2× this week by the agency" in html
    assert "this week by the agency" not in text_of(http.get(f"/contacts/{claire.pk}/"))
    html = text_of(http.get("/contacts/?q=Petit"))
    row = html.split(f'data-contact="{jean.pk}"')[1].split("</tr>")[0]
    assert "called 2× this week by the agency" in row
    # Someone on the phone with her right now: everyone sees it.
    services.sync(brief, services.compute(brief, TUESDAY))
    row = FollowUp.objects.get(campaign=brief, contact=claire)
    FollowUp.objects.filter(pk=row.pk).update(
        state=FollowUpState.CLAIMED, claimed_by=cast["officer"], claimed_at=now
    )
    assert "being called now by Officer" in text_of(http.get(f"/contacts/{claire.pk}/"))
    html = text_of(http.get("/contacts/?q=Dubois"))
    assert "being called now by Officer" in html.split(f'data-contact="{claire.pk}"')[1]
    assert Recipient.objects.filter(campaign=brief).count() == 4


def test_window_in_the_outlets_time_zone_with_the_zone_named(sent_release, login, cast):
    brief, (claire, *_rest) = sent_release
    manager = cast["manager"]
    montreal = factories.outlet(
        manager, "Le Devoir", periodicity="daily", country="CA", region="QC",
        timezone="America/Montreal",
    )  # fmt: skip
    mia = factories.contact(
        manager, "Tremblay", first_name="Mia", outlet_id=montreal.pk,
        emails=["mia@devoir.example"], phones=["+1 514 555 0101"],
    )  # fmt: skip
    for r in factories.recipients(manager, brief, [mia]):
        r.state, r.sent_at = "sent", SENT
        r.save()
    html = text_of(login("manager").get(plan_url(brief, TUESDAY)))
    row = html.split(f'data-contact="{mia.pk}"')[1].split("</tr>")[0]
    # 09:30 in Montreal is 14:30 in Paris (five hours apart in mid-March).
    assert "09:30–11:30" in row and "America/Montreal time (14:30 for you)" in row
    paris_row = html.split(f'data-contact="{claire.pk}"')[1].split("</tr>")[0]
    assert "for you" not in paris_row


def test_pages_render_in_french(sent_release, event, login, cast):
    brief, _ = sent_release
    gathering, _, _ = event
    for name in ("director", "manager"):
        cast[name].language = "fr"
        cast[name].save()
    assert login("manager").get(plan_url(brief, TUESDAY)).status_code == 200
    assert login("manager").get(plan_url(brief, "n'importe quoi")).status_code == 200
    assert login("manager").get(f"/campaigns/{gathering.pk}/checkin/").status_code == 200
    assert login("manager").get("/followups/overview/").status_code == 200
    http = login("director")
    assert http.get("/settings/followups/").status_code == 200
    response = http.post("/settings/followups/", policy_form(weight_relevance="0,5"))
    assert response.status_code == 302
    assert services.current_policy().weight_relevance == 0.5

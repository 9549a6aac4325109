"""The call desk's pages: "My calls today", the call sheet, outcomes."""

# The fixture imported is, by design, a parameter name.
# ruff: noqa: F811

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from relance.contacts.models import Contact
from relance.followups import services
from relance.followups.models import FollowUp, FollowUpState
from relance.interactions.models import Interaction
from relance.interactions.services import log

from .test_followups_services import PARIS, sent_release  # noqa: F401

pytestmark = pytest.mark.django_db
# Tuesday 10 March 2026, 09:40 in Paris: the daily's morning window.
NOW = datetime(2026, 3, 10, 9, 40, tzinfo=PARIS)


@pytest.fixture
def desk(sent_release, cast):
    brief, people = sent_release
    with time_machine.travel(NOW, tick=False):
        services.refresh(cast["manager"], brief)
    return brief, people


def _row(brief, contact) -> FollowUp:
    return FollowUp.objects.get(campaign=brief, contact=contact, state__in=services.OPEN)


def test_my_calls_lists_todays_calls_warm_first(desk, cast, login):
    brief, _people = desk
    rows = list(FollowUp.objects.filter(campaign=brief, state=FollowUpState.PLANNED))
    # Put every follow-up on one caller's Tuesday, the least likely one warm.
    FollowUp.objects.filter(pk__in=[r.pk for r in rows]).update(
        assignee=cast["officer"], window_start=NOW, window_end=NOW.replace(hour=11)
    )
    coldest = min(rows, key=lambda r: r.priority)
    FollowUp.objects.filter(pk=coldest.pk).update(warm=True)
    with time_machine.travel(NOW, tick=False):
        page = login("officer").get("/calls/")
    assert page.status_code == 200
    html = page.content.decode()
    positions = {r.pk: html.index(f'id="call-{r.pk}"') for r in rows}
    assert min(positions, key=positions.get) == coldest.pk
    assert brief.title in html and "warm" in html


def test_bad_day_is_a_message_not_a_500(desk, cast, login):
    with time_machine.travel(NOW, tick=False):
        page = login("officer").get("/calls/?day=lundi")
    assert page.status_code == 200
    assert "is not a date" in page.content.decode()


def test_call_sheet_has_what_the_caller_needs(desk, cast, login):
    brief, (_c, _p, _l, jean) = desk
    brief.talking_points = ["Interview du PDG possible"]
    brief.key_messages = ["Un parc de 62 éoliennes"]
    brief.save()
    log(
        cast["officer"],
        {
            "contact_id": jean.pk,
            "channel": "phone",
            "outcome": "note",
            "notes": "Point autre client",
        },
        now=NOW,
    )
    row = _row(brief, jean)
    with time_machine.travel(NOW, tick=False):
        html = login("manager").get(f"/calls/{row.pk}/").content.decode()
    assert 'href="tel:+33600000004"' in html
    assert "Interview du PDG possible" in html and "Un parc de 62 éoliennes" in html
    assert "Point autre client" in html  # the last exchanges, across campaigns
    assert "Opening line" in html and "did you get" not in html.lower()
    opening = html.split('class="opening-line">', 1)[1].split("</p>", 1)[0]
    # In the journalist's language (French here), with the first talking point.
    assert opening.startswith("Bonjour Jean") and "Interview du PDG possible" in opening
    Contact.objects.filter(pk=jean.pk).update(language="en")
    with time_machine.travel(NOW, tick=False):
        html = login("manager").get(f"/calls/{row.pk}/").content.decode()
    assert html.split('class="opening-line">', 1)[1].startswith("Hello Jean")
    # A release has no guest list: no "will attend" (key 2).
    for key in (1, 3, 4, 5, 6, 7, 8):
        assert f"<kbd>{key}</kbd>" in html
    assert "<kbd>2</kbd>" not in html


def test_outcome_is_recorded_and_replanned(desk, cast, login):
    brief, (_c, _p, _l, jean) = desk
    row = _row(brief, jean)
    with time_machine.travel(NOW, tick=False):
        http = login("manager")
        assert http.post(f"/calls/{row.pk}/claim/").status_code == 302
        response = http.post(f"/calls/{row.pk}/outcome/", {"outcome": "declined", "notes": "Non"})
    assert response.status_code == 302 and response["Location"] == "/calls/"
    row.refresh_from_db()
    assert row.state == FollowUpState.DONE and row.outcome == "declined"
    call = Interaction.objects.get(contact=jean, campaign=brief, outcome="declined")
    assert call.channel == "phone" and call.user == cast["manager"]
    assert not FollowUp.objects.filter(campaign=brief, contact=jean, state="planned").exists()


def test_someone_else_on_the_call_is_shown_and_cannot_log(desk, cast, login):
    brief, (_c, _p, _l, jean) = desk
    row = _row(brief, jean)
    with time_machine.travel(NOW, tick=False):
        services.claim(cast["officer"], row.pk)
        html = login("manager").get(f"/calls/{row.pk}/").content.decode()
        assert "is on this call right now" in html and "data-outcome-form" not in html
        response = login("manager").post(f"/calls/{row.pk}/outcome/", {"outcome": "declined"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == FollowUpState.CLAIMED and row.claimed_by == cast["officer"]


def test_call_back_without_a_time_is_a_400_naming_the_field(desk, cast, login):
    brief, (_c, _p, _l, jean) = desk
    row = _row(brief, jean)
    with time_machine.travel(NOW, tick=False):
        response = login("manager").post(
            f"/calls/{row.pk}/outcome/", {"outcome": "call_back", "call_back_at": "demain"}
        )
    assert response.status_code == 400
    assert 'id="call-back-error"' in response.content.decode()
    with time_machine.travel(NOW, tick=False):
        response = login("manager").post(
            f"/calls/{row.pk}/outcome/",
            {"outcome": "call_back", "call_back_at": "2026-03-11T15:00"},
        )
    assert response.status_code == 302
    again = FollowUp.objects.get(campaign=brief, contact=jean, state=FollowUpState.PLANNED)
    assert again.window_start == datetime(2026, 3, 11, 15, 0, tzinfo=PARIS)


def test_intern_may_not_take_a_vip(desk, cast, login):
    brief, (_c, _p, _l, jean) = desk
    Contact.objects.filter(pk=jean.pk).update(vip=True)
    row = _row(brief, jean)
    with time_machine.travel(NOW, tick=False):
        assert login("intern").post(f"/calls/{row.pk}/claim/").status_code == 403
        assert (
            login("intern").post(f"/calls/{row.pk}/outcome/", {"outcome": "declined"}).status_code
            == 403
        )


def test_client_viewer_has_no_desk(desk, cast, login):
    brief, (_c, _p, _l, jean) = desk
    row = _row(brief, jean)
    assert login("viewer").get("/calls/").status_code == 403
    assert login("viewer").get(f"/calls/{row.pk}/").status_code == 403


def test_written_follow_up_is_queued_from_the_desk(desk, cast, login):
    brief, (_c, _p, lea, _j) = desk
    row = _row(brief, lea)
    assert row.channel == "email"
    with time_machine.travel(NOW, tick=False):
        response = login("manager").post(f"/calls/{row.pk}/send/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == FollowUpState.DONE
    assert row.campaign.outbox.filter(contact=lea, kind="followup").exists()


def test_my_calls_makes_a_fixed_number_of_queries(desk, cast, login, django_assert_max_num_queries):
    http = login("manager")
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(14):
        assert http.get("/calls/").status_code == 200

"""Follow-ups through the services and the database: the facts loaded,
the plan written for the call desk, claims, outcomes and their effects."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from relance.campaigns.models import Recipient
from relance.contacts.models import Contact
from relance.contacts.services.contacts import set_relationship
from relance.followups import services
from relance.followups.models import FollowUp, FollowUpState
from relance.interactions import services as interactions
from relance.outreach.models import OutboxKind, OutboxMessage
from tests import factories

PARIS = ZoneInfo("Europe/Paris")
SENT = datetime(2026, 3, 9, 10, tzinfo=PARIS)  # a Monday
TUESDAY = datetime(2026, 3, 10, 9, 0, tzinfo=PARIS)


@pytest.fixture
def sent_release(cast):
    """A release sent on Monday to four journalists of three outlets."""
    manager = cast["manager"]
    daily = factories.outlet(manager, "Le Courrier de Lyon", periodicity="daily")
    weekly = factories.outlet(manager, "L'Hebdo du Rhône", periodicity="weekly", closing_weekday=4)
    people = [
        factories.contact(
            manager,
            "Dubois",
            outlet_id=daily.pk,
            emails=["claire@courrier.example"],
            phones=["+33 4 78 00 00 01"],
        ),
        factories.contact(
            manager,
            "Martin",
            first_name="Paul",
            outlet_id=daily.pk,
            emails=["paul@courrier.example"],
            phones=["+33 4 78 00 00 02"],
        ),
        factories.contact(
            manager,
            "Roux",
            first_name="Léa",
            outlet_id=weekly.pk,
            emails=["lea@hebdo.example"],
            phones=["+33 4 78 00 00 03"],
            accepts_phone=False,
        ),
        factories.contact(
            manager,
            "Petit",
            first_name="Jean",
            emails=["jean@free.example"],
            phones=["+33 6 00 00 00 04"],
        ),
    ]
    brief = factories.campaign(manager, manager=manager.username)
    factories.message(manager, brief)
    for r in factories.recipients(manager, brief, people):
        r.state, r.sent_at = "sent", SENT
        r.save()
    brief.sent_at, brief.status = SENT, "sent"
    brief.save()
    return brief, people


def test_plan_from_the_database(sent_release, cast):
    brief, (claire, paul, lea, _jean) = sent_release
    view = services.plan_followups(cast["manager"], brief, TUESDAY)
    result = view.plan.by_contact()
    assert result[lea.pk].channel == "email"
    # Claire and Paul share the daily: one of them waits.
    codes = {result[claire.pk].__class__.__name__, result[paul.pk].__class__.__name__}
    assert codes == {"Planned", "Skipped"}
    data = view.to_json()
    assert data["campaign"] == brief.pk
    assert {p["contact"] for p in data["planned"]} >= {"Léa Roux", "Jean Petit"}
    skipped = data["skipped"][0]
    assert skipped["reason_code"] == "outlet_already_planned" and skipped["reason"]


def test_plan_is_for_the_media_team_only(sent_release, cast):
    brief, _ = sent_release
    with pytest.raises(PermissionDenied):
        services.plan_followups(cast["viewer"], brief, TUESDAY)


def test_bulk_queries_not_one_per_recipient(sent_release, cast, django_assert_max_num_queries):
    brief, _ = sent_release
    with django_assert_max_num_queries(25):
        services.compute(brief, TUESDAY)


def test_sync_writes_rows_and_keeps_what_is_in_hand(sent_release, cast):
    brief, (_claire, _paul, _lea, jean) = sent_release
    with time_machine.travel(TUESDAY, tick=False):
        services.refresh(cast["manager"], brief)
        rows = {f.contact_id: f for f in FollowUp.objects.filter(campaign=brief)}
        assert set(rows) == {rows_id for rows_id in rows} and len(rows) == 3
        jean_row = rows[jean.pk]
        services.claim(cast["officer"], jean_row.pk)
        services.refresh(cast["manager"], brief)
        jean_row.refresh_from_db()
        assert jean_row.state == FollowUpState.CLAIMED
        assert jean_row.claimed_by == cast["officer"]


def test_two_people_cannot_claim_the_same_follow_up(sent_release, cast):
    brief, (_, _, _, jean) = sent_release
    with time_machine.travel(TUESDAY, tick=False):
        services.refresh(cast["manager"], brief)
        row = FollowUp.objects.get(campaign=brief, contact=jean)
        services.claim(cast["officer"], row.pk)
        with pytest.raises(services.AlreadyClaimed):
            services.claim(cast["manager"], row.pk)


def test_vip_cannot_be_claimed_by_an_intern(sent_release, cast):
    brief, (_, _, _, jean) = sent_release
    Contact.objects.filter(pk=jean.pk).update(vip=True)
    with time_machine.travel(TUESDAY, tick=False):
        services.refresh(cast["manager"], brief)
        row = FollowUp.objects.get(campaign=brief, contact=jean)
        assert row.assignee != cast["intern"]
        with pytest.raises(PermissionDenied):
            services.claim(cast["intern"], row.pk)


def test_outcome_declined_removes_and_frees_the_outlet(sent_release, cast):
    brief, (claire, paul, _, _) = sent_release
    with time_machine.travel(datetime(2026, 3, 10, 9, 45, tzinfo=PARIS), tick=False):
        services.refresh(cast["manager"], brief)
        first = FollowUp.objects.get(campaign=brief, contact__in=[claire, paul])
        other = paul if first.contact_id == claire.pk else claire
        services.record_outcome(cast["manager"], first, "declined", notes="Pas pour nous")
        first.refresh_from_db()
        assert first.state == FollowUpState.DONE and first.outcome == "declined"
        # The daily's slot passes to the colleague at once.
        assert FollowUp.objects.filter(
            campaign=brief, contact=other, state=FollowUpState.PLANNED
        ).exists()
        view = services.compute(brief)
        assert view.plan.by_contact()[first.contact_id].reason_code == "declined"


def test_stop_calling_me_is_for_every_campaign(sent_release, cast):
    brief, (_, _, _, jean) = sent_release
    with time_machine.travel(TUESDAY, tick=False):
        services.refresh(cast["manager"], brief)
        row = FollowUp.objects.get(campaign=brief, contact=jean)
        services.record_outcome(cast["officer"], row, "stop_calling")
    jean.refresh_from_db()
    assert jean.accepts_phone is False


def test_send_me_the_material_queues_the_follow_up_email(
    sent_release, cast, django_capture_on_commit_callbacks
):
    brief, (_, _, _, jean) = sent_release
    with time_machine.travel(TUESDAY, tick=False):
        services.refresh(cast["manager"], brief)
        row = FollowUp.objects.get(campaign=brief, contact=jean)
        services.record_outcome(cast["intern"], row, "send_material")
    mail = OutboxMessage.objects.get(contact=jean, kind=OutboxKind.FOLLOWUP)
    assert mail.to_address == "jean@free.example"
    assert "As promised on the phone" in mail.note or "Comme convenu" in mail.note
    recipient = Recipient.objects.get(campaign=brief, contact=jean)
    assert recipient.sent_at == SENT  # the release's send time stays


def test_call_back_needs_a_time_and_replans_at_it(sent_release, cast):
    brief, (_, _, _, jean) = sent_release
    with time_machine.travel(TUESDAY, tick=False):
        services.refresh(cast["manager"], brief)
        row = FollowUp.objects.get(campaign=brief, contact=jean)
        with pytest.raises(ValidationError) as error:
            services.record_outcome(cast["officer"], row, "call_back")
        assert "call_back_at" in error.value.message_dict
        back = TUESDAY + timedelta(days=1, hours=6)
        services.record_outcome(cast["officer"], row, "call_back", call_back_at=back.isoformat())
        again = FollowUp.objects.get(campaign=brief, contact=jean, state=FollowUpState.PLANNED)
        assert again.window_start == back


def test_opt_out_after_the_plan_removes_it_from_the_desk(sent_release, cast):
    brief, (_, _, _, jean) = sent_release
    with time_machine.travel(TUESDAY, tick=False):
        services.refresh(cast["manager"], brief)
        row = FollowUp.objects.get(campaign=brief, contact=jean)
        assignee, day = row.assignee, row.window_start.astimezone(PARIS).date()
        assert row in services.my_calls(assignee, day)
        Contact.objects.filter(pk=jean.pk).update(opted_out=True)
        assert row not in services.my_calls(assignee, day)
        with pytest.raises(ValidationError):
            services.claim(assignee, row.pk)


def test_relationship_strength_routes_the_call(sent_release, cast):
    brief, (_, _, _lea, jean) = sent_release
    set_relationship(cast["director"], jean, cast["director"], 3)
    with time_machine.travel(TUESDAY, tick=False):
        view = services.compute(brief)
    assert view.plan.by_contact()[jean.pk].assignee_id == cast["director"].pk


def test_pressure_counts_calls_across_clients(sent_release, cast):
    _brief, (_, _, _, jean) = sent_release
    for day in (2, 3):
        interactions.log(
            cast["officer"],
            {
                "contact_id": jean.pk,
                "channel": "phone",
                "outcome": "note",
                "at": (TUESDAY - timedelta(days=day)).isoformat(),
            },
            now=TUESDAY,
        )
    pressure = services.pressure([jean.pk], TUESDAY)[jean.pk]
    assert pressure.calls_week == 2
    assert "2×" in pressure.label


def test_plan_followups_command_json(sent_release, cast, capsys):
    brief, _ = sent_release
    call_command("plan_followups", str(brief.pk), "--at", TUESDAY.isoformat(), "--json")
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["campaign"] == brief.pk
    assert data["planned"] and all(p["reasons"] for p in data["planned"])

"""The follow-up policy, rule by rule (DESIGN.md §5), on the pure planner.

One case per rule and per periodicity, with the moment fixed, in Paris and
in Montreal, across weekends, French and Quebec public holidays and the
daylight-saving change. Each case says what a press officer would expect
to see in the plan: the channel, the day and hours in the outlet's own
time, who calls, or the reason it is skipped.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
import time_machine

from relance.followups.planner import Claimed, Planned, Skipped, Touch, plan
from relance.followups.policy import Hours, Policy
from tests.followup_facts import (
    MONTREAL,
    PARIS,
    contact,
    facts,
    montreal,
    outlet,
    paris,
    quebec,
)

POLICY = Policy()


def only(result, contact_id: int = 1) -> Planned | Skipped:
    return result.by_contact()[contact_id]


def local(p: Planned, tz=PARIS) -> tuple[str, str, str]:
    start = p.window_start.astimezone(tz)
    end = p.window_end.astimezone(tz)
    return start.strftime("%Y-%m-%d"), start.strftime("%H:%M"), end.strftime("%H:%M")


def run(f, at: datetime, policy: Policy = POLICY):
    return plan(f, policy, at)


# --- Timing by periodicity, in both time zones -----------------------------------------


TIMING = [
    # (case, outlet, sent, at, expected local (day, start, end), time zone)
    (
        "daily: next working morning",
        outlet(),
        paris(2026, 3, 9, 10),
        paris(2026, 3, 9, 12),
        ("2026-03-10", "09:30", "11:30"),
        PARIS,
    ),
    (
        "daily sent on Friday: Monday, not the weekend",
        outlet(),
        paris(2026, 3, 13, 10),
        paris(2026, 3, 13, 12),
        ("2026-03-16", "09:30", "11:30"),
        PARIS,
    ),
    (
        "daily: 14 July is a French holiday",
        outlet(),
        paris(2026, 7, 13, 10),
        paris(2026, 7, 13, 12),
        ("2026-07-15", "09:30", "11:30"),
        PARIS,
    ),
    (
        "daily in Quebec: 14 July is a working day there",
        quebec(),
        montreal(2026, 7, 13, 10),
        montreal(2026, 7, 13, 12),
        ("2026-07-14", "09:30", "11:30"),
        MONTREAL,
    ),
    (
        "daily: 15 August (2024, a Thursday) is a French holiday",
        outlet(),
        paris(2024, 8, 14, 10),
        paris(2024, 8, 14, 12),
        ("2024-08-16", "09:30", "11:30"),
        PARIS,
    ),
    (
        "daily: 11 November is a French holiday",
        outlet(),
        paris(2026, 11, 10, 10),
        paris(2026, 11, 10, 12),
        ("2026-11-12", "09:30", "11:30"),
        PARIS,
    ),
    (
        "daily in Quebec: 24 June, Fête nationale",
        quebec(),
        montreal(2026, 6, 23, 10),
        montreal(2026, 6, 23, 12),
        ("2026-06-25", "09:30", "11:30"),
        MONTREAL,
    ),
    (
        "daily in Paris: 24 June is a working day",
        outlet(),
        paris(2026, 6, 23, 10),
        paris(2026, 6, 23, 12),
        ("2026-06-24", "09:30", "11:30"),
        PARIS,
    ),
    (
        "daily in Quebec: 1 July, Canada Day",
        quebec(),
        montreal(2026, 6, 30, 10),
        montreal(2026, 6, 30, 12),
        ("2026-07-02", "09:30", "11:30"),
        MONTREAL,
    ),
    (
        "web media: like a daily",
        outlet(kind="web", periodicity="continuous"),
        paris(2026, 3, 9, 10),
        paris(2026, 3, 9, 12),
        ("2026-03-10", "09:30", "11:30"),
        PARIS,
    ),
    (
        "weekly: two working days after the send",
        outlet(periodicity="weekly", closing_weekday=4),
        paris(2026, 3, 9, 10),
        paris(2026, 3, 9, 12),
        ("2026-03-11", "09:30", "12:00"),
        PARIS,
    ),
    (
        "weekly closing on Wednesday: not on its closing day",
        outlet(periodicity="weekly", closing_weekday=2),
        paris(2026, 3, 9, 10),
        paris(2026, 3, 9, 12),
        ("2026-03-12", "09:30", "12:00"),
        PARIS,
    ),
    (
        "monthly: five working days after the send",
        outlet(periodicity="monthly"),
        paris(2026, 3, 9, 10),
        paris(2026, 3, 9, 12),
        ("2026-03-16", "09:30", "12:00"),
        PARIS,
    ),
    (
        "quarterly: like a monthly",
        outlet(periodicity="quarterly"),
        paris(2026, 3, 9, 10),
        paris(2026, 3, 9, 12),
        ("2026-03-16", "09:30", "12:00"),
        PARIS,
    ),
    (
        "radio desk: the next working morning, 09:00-10:30",
        outlet(kind="radio", periodicity="daily"),
        paris(2026, 3, 9, 10),
        paris(2026, 3, 9, 12),
        ("2026-03-10", "09:00", "10:30"),
        PARIS,
    ),
    (
        "TV desk in Montreal: its own morning",
        quebec(kind="tv", periodicity="daily"),
        montreal(2026, 3, 9, 10),
        montreal(2026, 3, 9, 12),
        ("2026-03-10", "09:00", "10:30"),
        MONTREAL,
    ),
    (
        "daily, plan made late the next morning: what is left of the window",
        outlet(),
        paris(2026, 3, 9, 10),
        paris(2026, 3, 10, 10, 2),
        ("2026-03-10", "10:05", "11:30"),
        PARIS,
    ),
    (
        "daily, window over for today: the next working morning",
        outlet(),
        paris(2026, 3, 9, 10),
        paris(2026, 3, 10, 15),
        ("2026-03-11", "09:30", "11:30"),
        PARIS,
    ),
]


@pytest.mark.parametrize(
    ("outlet_facts", "sent", "at", "expected", "tz"),
    [case[1:] for case in TIMING],
    ids=[case[0] for case in TIMING],
)
def test_timing_by_periodicity(outlet_facts, sent, at, expected, tz):
    result = only(run(facts(sent, [contact()], [outlet_facts]), at))
    assert isinstance(result, Planned), result
    assert local(result, tz) == expected
    assert result.window_start >= at and result.window_start >= sent


def test_paris_and_montreal_mornings_are_hours_apart_and_dst_moves_the_gap():
    """A Paris desk and a Montreal desk called on their own mornings: six
    hours apart most of the year, five in the weeks when North America has
    changed its clocks and Europe not yet (2026: 8 to 29 March)."""
    both = [outlet(1), quebec(2)]
    people = [contact(1, 1), contact(2, 2)]
    for sent, gap in ((paris(2026, 3, 2, 10), 6), (paris(2026, 3, 16, 10), 5)):
        result = run(facts(sent, people, both), sent + timedelta(hours=1)).by_contact()
        assert result[2].window_start - result[1].window_start == timedelta(hours=gap, days=0)


def test_daylight_saving_change_in_paris_keeps_local_hours():
    """Sent Friday 27 March 2026; Paris moves to summer time on Sunday 29:
    the Monday call is still 09:30 in Paris, 07:30 UTC instead of 08:30."""
    result = only(
        run(facts(paris(2026, 3, 27, 10), [contact()], [outlet()]), paris(2026, 3, 27, 11))
    )
    assert local(result) == ("2026-03-30", "09:30", "11:30")
    assert result.window_start.astimezone(ZoneInfoUTC).hour == 7


from zoneinfo import ZoneInfo  # noqa: E402

ZoneInfoUTC = ZoneInfo("UTC")


def test_holiday_is_named_among_the_reasons():
    result = only(
        run(facts(paris(2026, 7, 13, 10), [contact()], [outlet()]), paris(2026, 7, 13, 12))
    )
    assert any(r.code == "t_holiday" and r.params["day"] == "2026-07-14" for r in result.reasons)


def test_blogger_is_followed_up_in_writing_five_working_days_after():
    blogger = contact(role="blogger")
    result = only(
        run(facts(paris(2026, 3, 9, 10), [blogger], [outlet(kind="blog")]), paris(2026, 3, 9, 12))
    )
    assert result.channel == "email"
    assert local(result)[0] == "2026-03-16"


def test_influencer_who_prefers_social_gets_a_social_message():
    person = contact(role="influencer", preferred_channel="social", has_social=True)
    result = only(run(facts(paris(2026, 3, 9, 10), [person]), paris(2026, 3, 9, 12)))
    assert result.channel == "social"


def test_monthly_too_late_when_lead_time_cannot_be_met():
    """A monthly fixing its pages 45 days ahead cannot carry news dated in
    three weeks: `too_late`, not a useless call."""
    mag = outlet(periodicity="monthly", lead_time_days=45)
    f = facts(paris(2026, 3, 9, 10), [contact()], [mag])
    f.campaign = replace(f.campaign, event_at=paris(2026, 3, 30, 10))
    result = only(run(f, paris(2026, 3, 9, 12)))
    assert isinstance(result, Skipped) and result.reason_code == "too_late"
    assert "45" in result.reason.text()


def test_release_too_old_is_too_late():
    result = only(run(facts(paris(2026, 3, 9, 10), [contact()], [outlet()]), paris(2026, 3, 20, 9)))
    assert isinstance(result, Skipped) and result.reason_code == "too_late"


# --- Events and press conferences -------------------------------------------------------


def test_press_conference_the_morning_of_the_day():
    f = facts(paris(2026, 3, 9, 10), kind="press_conference", event_at=paris(2026, 3, 12, 11))
    result = only(run(f, paris(2026, 3, 9, 12)))
    assert local(result) == ("2026-03-12", "08:30", "10:00")


def test_event_two_working_days_before_across_a_weekend():
    # Event on Tuesday 17 March: J-2 working days is Friday 13.
    f = facts(paris(2026, 3, 2, 10), kind="event", event_at=paris(2026, 3, 17, 18))
    result = only(run(f, paris(2026, 3, 2, 12)))
    assert local(result) == ("2026-03-13", "09:30", "12:00")


def test_event_invitation_sent_late_is_confirmed_as_soon_as_possible():
    f = facts(paris(2026, 3, 12, 10), kind="event", event_at=paris(2026, 3, 13, 18))
    result = only(run(f, paris(2026, 3, 12, 12)))
    assert local(result) == ("2026-03-13", "09:30", "12:00")
    assert result.reasons[0].code == "t_event_late"


def test_event_already_confirmed_is_not_called():
    f = facts(
        paris(2026, 3, 2, 10),
        kind="event",
        event_at=paris(2026, 3, 17, 18),
        recipients={1: {"rsvp": "yes"}},
    )
    result = only(run(f, paris(2026, 3, 2, 12)))
    assert result.reason_code == "already_responded"


def test_event_over_is_too_late():
    f = facts(paris(2026, 3, 2, 10), kind="event", event_at=paris(2026, 3, 5, 18))
    result = only(run(f, paris(2026, 3, 6, 9)))
    assert result.reason_code == "too_late"


# --- The journalist's choices and answers -------------------------------------------------


SENT = paris(2026, 3, 9, 10)
AT = paris(2026, 3, 9, 12)

SKIPS = [
    ("not sent", {"recipients": {1: {"sent_at": None}}}, contact(), "not_sent"),
    ("opted out", {}, contact(opted_out=True), "opted_out"),
    ("do not contact", {}, contact(do_not_contact=True), "opted_out"),
    ("bounced", {"recipients": {1: {"bounced": True}}}, contact(), "bounced"),
    ("paused past the window", {}, contact(paused_until=date(2026, 4, 30)), "paused"),
    (
        "replied",
        {"recipients": {1: {"replied_at": paris(2026, 3, 9, 11)}}},
        contact(),
        "already_responded",
    ),
    (
        "declined on the phone",
        {"touches": {1: [Touch(paris(2026, 3, 9, 11), "phone", "out", "declined")]}},
        contact(),
        "declined",
    ),
    (
        "said stop calling me",
        {"touches": {1: [Touch(paris(2026, 3, 9, 11), "phone", "out", "stop_calling")]}},
        contact(),
        "declined",
    ),
    ("no channel at all", {}, contact(accepts_phone=False, has_email=False), "no_channel"),
    (
        "address bounced, no calls",
        {},
        contact(accepts_phone=False, email_bounced=True),
        "no_channel",
    ),
]


@pytest.mark.parametrize(
    ("extra", "person", "code"), [c[1:] for c in SKIPS], ids=[c[0] for c in SKIPS]
)
def test_skips_with_reason(extra, person, code):
    recipients = extra.pop("recipients", None) if extra else None
    f = facts(SENT, [person], recipients=recipients, **extra)
    result = only(run(f, AT))
    assert isinstance(result, Skipped), result
    assert result.reason_code == code
    assert result.reason.text()  # a sentence, not a code


def test_paused_for_a_day_is_planned_after_the_pause():
    person = contact(paused_until=date(2026, 3, 10))
    result = only(run(facts(SENT, [person]), AT))
    assert local(result)[0] == "2026-03-11"
    assert result.reasons[0].code == "t_deferred_pause"


def test_no_phone_means_email():
    result = only(run(facts(SENT, [contact(accepts_phone=False)]), AT))
    assert result.channel == "email"
    assert any(r.code == "c_no_phone" for r in result.reasons)


def test_no_number_means_email():
    result = only(run(facts(SENT, [contact(has_phone=False)]), AT))
    assert result.channel == "email"


def test_best_hours_are_respected():
    person = contact(best_hours=(Hours.parse("10:30-12:00"),))
    result = only(run(facts(SENT, [person]), AT))
    assert local(result) == ("2026-03-10", "10:30", "11:30")


def test_best_hours_in_the_evening_close_of_a_daily_are_not_used():
    person = contact(best_hours=(Hours.parse("17:30-19:00"),))
    result = only(run(facts(SENT, [person]), AT))
    start, end = result.window_start.astimezone(PARIS), result.window_end.astimezone(PARIS)
    assert end.hour <= 17 and start.hour >= 9


def test_best_hours_outside_the_rule_win_for_a_weekly():
    person = contact(best_hours=(Hours.parse("14:00-16:00"),))
    weekly = outlet(periodicity="weekly")
    result = only(run(facts(SENT, [person], [weekly]), AT))
    assert local(result) == ("2026-03-11", "14:00", "16:00")


# --- Pressure caps across the agency --------------------------------------------------------


def test_called_twice_this_week_for_another_client_is_deferred_or_capped():
    calls = {1: [paris(2026, 3, 5, 10), paris(2026, 3, 6, 10)]}
    result = only(run(facts(SENT, [contact()], calls=calls), AT))
    if isinstance(result, Planned):
        # Two calls on 5 and 6 March: a third within seven days of the
        # first is refused; the window moves to when the cap allows.
        assert result.window_start - paris(2026, 3, 5, 10) >= timedelta(days=7)
        assert result.reasons[0].code == "t_deferred_cap"
    else:
        assert result.reason_code == "pressure_cap"


def test_call_yesterday_for_another_client_means_three_working_days():
    calls = {1: [paris(2026, 3, 9, 15)]}
    result = only(run(facts(SENT, [contact()], calls=calls), AT))
    assert isinstance(result, Planned)
    assert local(result)[0] == "2026-03-12"  # Monday -> Thursday
    assert result.reasons[0].code == "t_deferred_cap"


def test_cap_past_the_useful_window_is_pressure_cap():
    calls = {1: [paris(2026, 3, 10, 15)]}
    policy = POLICY.replace(late_days=0)
    result = only(run(facts(SENT, [contact()], calls=calls), AT, policy))
    assert result.reason_code == "pressure_cap"


def test_email_follow_up_ignores_call_caps():
    calls = {1: [paris(2026, 3, 9, 15)]}
    result = only(run(facts(SENT, [contact(accepts_phone=False)], calls=calls), AT))
    assert result.channel == "email" and local(result)[0] == "2026-03-10"


def test_one_follow_up_per_campaign_then_no_more():
    written = {1: [paris(2026, 3, 10, 10)]}
    result = only(run(facts(SENT, [contact()], written=written), AT))
    assert result.reason_code == "pressure_cap"


def test_no_answer_gives_one_more_try_then_stops():
    """A monthly's window is wide enough for a second try three working
    days after the voicemail; after the second, no third."""
    monthly = [outlet(periodicity="monthly")]
    miss = Touch(paris(2026, 3, 16, 10), "phone", "out", "no_answer")
    f = facts(SENT, [contact()], monthly, touches={1: [miss]}, calls={1: [miss.at]})
    once = only(run(f, paris(2026, 3, 16, 11)))
    assert isinstance(once, Planned), once
    assert "t_retry" in [r.code for r in once.reasons]
    assert local(once)[0] == "2026-03-19"  # three working days after the try
    twice = [miss, Touch(paris(2026, 3, 19, 10), "phone", "out", "no_answer")]
    f = facts(SENT, [contact()], monthly, touches={1: twice})
    assert only(run(f, paris(2026, 3, 19, 11))).reason_code == "pressure_cap"


def test_no_answer_on_a_daily_cannot_be_retried_within_the_caps():
    """Three working days between calls: the daily's news is stale by then."""
    miss = Touch(paris(2026, 3, 10, 10), "phone", "out", "no_answer")
    f = facts(SENT, [contact()], touches={1: [miss]}, calls={1: [miss.at]})
    result = only(run(f, paris(2026, 3, 10, 11)))
    assert result.reason_code == "pressure_cap"
    assert "2026" in result.reason.text() or "March" in result.reason.text()


def test_call_back_at_the_time_asked():
    back = paris(2026, 3, 11, 16)
    touch = Touch(paris(2026, 3, 10, 10), "phone", "out", "call_back", call_back_at=back)
    calls = {1: [touch.at]}
    result = only(
        run(facts(SENT, [contact()], touches={1: [touch]}, calls=calls), paris(2026, 3, 10, 11))
    )
    assert result.window_start == back


# --- One contact per outlet, who calls, the capacity cut --------------------------------


def test_one_contact_per_outlet_the_best_first():
    people = [contact(1, 1), contact(2, 1)]
    f = facts(SENT, people, recipients={1: {"score": 1.0}, 2: {"score": 5.0}})
    result = run(f, AT).by_contact()
    assert isinstance(result[2], Planned)
    assert result[1].reason_code == "outlet_already_planned"
    assert "Contact 2" in result[1].reason.text()


def test_strong_relationship_with_the_director_gives_her_the_call():
    f = facts(SENT, [contact()], relationships={1: [(1, 3), (3, 1)]})
    result = only(run(f, AT))
    assert result.assignee_id == 1


def test_weak_relationship_does_not_take_the_call():
    f = facts(SENT, [contact()], relationships={1: [(4, 1)]})
    result = only(run(f, AT))
    assert (
        result.assignee_id == 3
    )  # the pool's press officer (more free calls than the intern? equal; lower id)


def test_vip_goes_to_the_manager_never_to_an_intern():
    f = facts(SENT, [contact(vip=True)], pool=[4])
    assert only(run(f, AT)).assignee_id == 2
    f = facts(SENT, [contact(vip=True)], pool=[4], relationships={1: [(4, 3)]})
    f.campaign = replace(f.campaign, manager_id=None)
    result = only(run(f, AT))
    assert isinstance(result, Skipped) and result.reason_code == "low_priority"


def test_top_tier_outlet_goes_to_the_manager():
    f = facts(SENT, [contact()], [outlet(tier=1)])
    assert only(run(f, AT)).assignee_id == 2


def test_pool_is_balanced_by_what_is_left_of_each_day():
    people = [contact(i, i) for i in range(1, 5)]
    f = facts(SENT, people, [outlet(i) for i in range(1, 5)])
    assert sorted(p.assignee_id for p in run(f, AT).planned) == [3, 3, 4, 4]
    # Paula's Tuesday is nearly full with another client's calls: Ines,
    # with the most calls left, takes them.
    f.load = {(3, date(2026, 3, 10)): 24}
    assert [p.assignee_id for p in run(f, AT).planned] == [4, 4, 4, 4]


def test_capacity_cut_keeps_the_best_and_explains_the_cut():
    people = [contact(i, i) for i in range(1, 6)]
    users = {3: replace(facts(SENT).users[3], capacity=2)}
    f = facts(
        SENT,
        people,
        [outlet(i) for i in range(1, 6)],
        recipients={i: {"score": float(i)} for i in range(1, 6)},
        users=users,
        pool=[3],
    )
    f.campaign = replace(f.campaign, manager_id=None)
    policy = POLICY.replace(late_days=0)
    result = run(f, AT, policy)
    kept = sorted(p.contact_id for p in result.planned)
    assert kept == [4, 5]
    cut = [s for s in result.skipped if s.reason_code == "low_priority"]
    assert sorted(s.contact_id for s in cut) == [1, 2, 3]
    assert result.cut == min(p.priority for p in result.planned)
    assert all(s.reason.params["cut"] == result.cut for s in cut)


def test_below_the_priority_floor_is_low_priority():
    policy = POLICY.replace(min_priority=0.99)
    result = only(run(facts(SENT, [contact()]), AT, policy))
    assert result.reason_code == "low_priority"


def test_warm_contacts_are_marked():
    f = facts(SENT, [contact()], warm={1})
    assert only(run(f, AT)).warm


def test_engagement_without_answer_ranks_higher():
    people = [contact(1, 1), contact(2, 2)]
    f = facts(SENT, people, [outlet(1), outlet(2)], recipients={2: {"opens": 2}})
    result = run(f, AT).by_contact()
    assert result[2].priority > result[1].priority
    assert any(r.code == "p_opened" for r in result[2].reasons)


def test_radio_host_is_reached_through_the_show_researcher():
    host = contact(1, 1, role="host", show_id=9)
    researcher = contact(2, 1, role="researcher", show_id=9)
    f = facts(SENT, [host], [outlet(kind="radio")], show_researchers={9: [2]})
    f.contacts[2] = researcher
    result = only(run(f, AT))
    assert result.via_id == 2 and result.channel == "phone"


def test_claimed_follow_up_is_kept_as_it_is():
    window = (paris(2026, 3, 10, 9, 30), paris(2026, 3, 10, 11, 30))
    claimed = {1: Claimed(1, 4, "phone", *window, since=paris(2026, 3, 10, 9, 40))}
    result = only(run(facts(SENT, [contact()], claimed=claimed), paris(2026, 3, 10, 9, 45)))
    assert result.claimed and result.assignee_id == 4


# --- Determinism and the frozen clock -----------------------------------------------------


def test_same_facts_same_plan_whatever_the_clock():
    people = [contact(i, i % 3 + 1) for i in range(1, 30)]
    f = facts(SENT, people, [outlet(1), outlet(2), outlet(3)])
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=PARIS), tick=False):
        first = run(f, AT)
    second = run(f, AT)
    assert [(p.contact_id, p.window_start, p.assignee_id) for p in first.planned] == [
        (p.contact_id, p.window_start, p.assignee_id) for p in second.planned
    ]
    assert [(s.contact_id, s.reason_code) for s in first.skipped] == [
        (s.contact_id, s.reason_code) for s in second.skipped
    ]


def test_pool_balances_by_share_of_capacity_not_absolute_calls():
    """Paula (40 a day) has 20 calls left, Ines the intern (12 a day) 9:
    Ines has the larger share of her day free, so she takes the next one."""
    users = {
        3: replace(facts(SENT).users[3], capacity=40),
        4: replace(facts(SENT).users[4], capacity=12),
    }
    f = facts(SENT, [contact()], users=users, pool=[3, 4])
    f.load = {(3, date(2026, 3, 10)): 20, (4, date(2026, 3, 10)): 3}
    assert only(run(f, AT)).assignee_id == 4

"""Learnings feed the next campaign: a journalist who covered the agency's
past campaigns ranks higher in targeting and in the follow-up plan, with
that reason shown; one who never answered ranks lower."""

# The fixtures imported are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from relance.campaigns import targeting
from relance.coverage import items
from relance.followups.planner import Planned, plan
from relance.followups.policy import Policy
from tests.followup_facts import contact, facts, outlet, paris

from .factories import campaign
from .factories import contact as make_contact
from .test_coverage_items import SENT, paper, sent  # noqa: F401

NOW = datetime(2026, 4, 1, 9, tzinfo=UTC)


def _facts(cid: int, **history: int) -> targeting.Facts:
    return targeting.Facts(
        contact_id=cid, name=f"Journaliste {cid}", beats=["Énergie"], audience=50_000, **history
    )


def test_targeting_ranks_past_coverage_up_and_silence_down_with_the_reason():
    ranked = targeting.score(
        [
            _facts(1, past_sent=3),  # three pitches, no answer
            _facts(2),  # never pitched
            _facts(3, past_sent=2, past_covered=2),  # covered both
        ],
        ["energi"],
        {"energi": 10},
        1000,
        NOW,
    )
    assert [p.contact_id for p in ranked] == [3, 2, 1]
    assert "covered 2 past campaigns" in ranked[0].reasons
    assert "no answer to 3 past campaigns" in ranked[-1].reasons


def test_the_plan_calls_past_coverage_first_and_says_why():
    sent_at = paris(2026, 3, 9, 10)  # a Monday
    people = [
        contact(1, outlet_id=1, accepts_phone=True),
        contact(2, outlet_id=2, accepts_phone=True),
    ]
    base = facts(sent_at, people, [outlet(1), outlet(2)])
    base.covered = {2: 1}
    result = plan(base, Policy(), paris(2026, 3, 9, 18))
    by = result.by_contact()
    first, second = by[2], by[1]
    assert isinstance(first, Planned) and isinstance(second, Planned)
    assert first.priority > second.priority
    assert first.warm
    assert "p_covered" in [r.code for r in first.reasons]


@pytest.mark.django_db
def test_confirmed_coverage_reaches_the_next_targeting(cast, sent, paper):
    author = make_contact(cast["manager"], "Le Gall", first_name="Yannick", outlet_id=paper.pk)
    items.add(
        cast["officer"],
        {
            "campaign_id": sent.pk,
            "outlet_id": paper.pk,
            "author": "Yannick Le Gall",
            "title": "Le parc éolien citoyen",
            "published_at": SENT.date().isoformat(),
        },
    )
    nxt = campaign(cast["manager"], "Deuxième parc éolien")
    [loaded] = targeting.load_facts([author.pk], exclude_campaign_id=nxt.pk)
    assert loaded.past_covered == 1
    # The campaign being planned does not count for itself.
    [itself] = targeting.load_facts([author.pk], exclude_campaign_id=sent.pk)
    assert itself.past_covered == 0


def test_an_outlet_that_ran_past_campaigns_raises_its_journalists_a_little():
    ranked = targeting.score(
        [_facts(1), _facts(2, outlet_covered=2), _facts(3, past_sent=1, past_covered=1)],
        ["energi"],
        {"energi": 10},
        1000,
        NOW,
    )
    assert [p.contact_id for p in ranked] == [3, 2, 1]
    assert "their outlet covered 2 past campaigns" in ranked[1].reasons
    sent_at = paris(2026, 3, 9, 10)
    people = [
        contact(1, outlet_id=1, accepts_phone=True),
        contact(2, outlet_id=2, accepts_phone=True),
    ]
    base = facts(sent_at, people, [outlet(1), outlet(2)])
    base.outlet_covered = {2: 3}
    by = plan(base, Policy(), paris(2026, 3, 9, 18)).by_contact()
    assert by[2].priority > by[1].priority
    assert "p_outlet_covered" in [r.code for r in by[2].reasons]

"""Demo follow-up history and today's call lists (issue 4).

For each demo campaign already sent, the calls its plan scheduled in the
past are "made": one interaction per call, logged through the interactions
service by the caller it was planned for, with a believable spread of
outcomes (voicemail most often, some interested, some declined, a few
"send me the material", one or two "stop calling me"). A few journalists
of the most recent release were also called this week about another
client, so the desk shows them near their caps. Then every active
campaign's plan is written for today: each caller opens "My calls today" on
first login and finds work in it.

Seeded and idempotent: the history is made once (when no follow-up exists);
today's plan is re-written at every build, since "today" moves.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from relance.accounts.models import User
from relance.campaigns.models import Campaign
from relance.followups import services
from relance.followups.models import FollowUp, FollowUpState
from relance.interactions import services as interactions
from relance.interactions.models import Outcome

# (outcome, weight) of a demo call; "will attend" only for events.
OUTCOMES = [
    (Outcome.NO_ANSWER, 34),
    (Outcome.INTERESTED, 16),
    (Outcome.DECLINED, 14),
    (Outcome.SEND_MATERIAL, 16),
    (Outcome.CALL_BACK, 6),
    (Outcome.WRONG_PERSON, 5),
    (Outcome.STOP_CALLING, 3),
    (Outcome.WILL_ATTEND, 12),
]
NOTES = {
    Outcome.NO_ANSWER: "Messagerie, message laissé.",
    Outcome.INTERESTED: "Intéressée, attend les visuels pour décider.",
    Outcome.DECLINED: "Pas pour nous cette fois, sujet déjà traité.",
    Outcome.SEND_MATERIAL: "Renvoyer le communiqué et le dossier de presse.",
    Outcome.CALL_BACK: "En bouclage, rappeler plus tard.",
    Outcome.WRONG_PERSON: "Ne couvre plus le sujet : voir le service économie.",
    Outcome.STOP_CALLING: "Préfère ne plus être appelée, e-mail uniquement.",
    Outcome.WILL_ATTEND: "Viendra avec un photographe.",
}


def build_followups(seed: int, now: datetime | None = None) -> int:
    """Make the history once, then write today's plans; returns the number
    of calls made for the history (0 when it was already there)."""
    now = now or timezone.now()
    made = 0
    if not FollowUp.objects.exists():
        rng = random.Random(f"{seed}:followups")
        sent = Campaign.objects.filter(sent_at__isnull=False, sent_at__lt=now).order_by("sent_at")
        for campaign in sent:
            with transaction.atomic():
                made += _history(campaign, now, rng)
        latest = sent.last()
        # Journalists of the latest release, called this week about the
        # inauguration of the same client: a French campaign they might cover.
        other = (
            sent.exclude(pk=latest.pk).filter(client_id=latest.client_id).first()
            if latest
            else None
        )
        if latest is not None:
            with transaction.atomic():
                _near_caps(latest, other, now, rng)
    services.refresh_all(now)
    return made


def _pick(rng: random.Random, event: bool) -> str:
    choices = [(o, w) for o, w in OUTCOMES if event or o != Outcome.WILL_ATTEND]
    return rng.choices([o for o, _ in choices], weights=[w for _, w in choices])[0]


def _history(campaign: Campaign, now: datetime, rng: random.Random) -> int:
    """The calls of the campaign's plan whose window is over."""
    assert campaign.sent_at is not None
    view = services.compute(campaign, campaign.sent_at + timedelta(minutes=30))
    users = {
        u.pk: u for u in User.objects.filter(pk__in={p.assignee_id for p in view.plan.planned})
    }
    made = 0
    for p in view.plan.planned:
        at = p.window_start + (p.window_end - p.window_start) * rng.random()
        if at >= now - timedelta(minutes=30) or p.channel != "phone":
            continue
        user = users.get(p.assignee_id or 0)
        if user is None:
            continue
        outcome = _pick(rng, campaign.is_event)
        details: dict[str, str] = {}
        if outcome == Outcome.CALL_BACK:
            # Asked to be called back: some today, so the desk shows it.
            back = now.replace(minute=0, second=0, microsecond=0) + timedelta(
                hours=rng.randint(1, 4)
            )
            details["call_back_at"] = back.isoformat()
        interaction = interactions.log(
            user,
            {
                "contact_id": p.contact_id,
                "campaign_id": campaign.pk,
                "channel": "phone",
                "direction": "out",
                "outcome": outcome,
                "notes": NOTES[outcome],
                "at": at,
            },
            now=now,
            details=details,
        )
        FollowUp.objects.create(
            campaign=campaign,
            contact_id=p.contact_id,
            via_id=p.via_id,
            channel=p.channel,
            window_start=p.window_start,
            window_end=p.window_end,
            assignee=user,
            priority=p.priority,
            warm=p.warm,
            reasons=[r.to_json() for r in p.reasons],
            state=FollowUpState.DONE,
            claimed_by=user,
            claimed_at=at,
            done_at=at,
            outcome=outcome,
            interaction=interaction,
            planned_at=campaign.sent_at,
        )
        made += 1
    return made


def _near_caps(
    campaign: Campaign, other: Campaign | None, now: datetime, rng: random.Random
) -> None:
    """Some of the latest release's journalists were called this week about
    another client's campaign: the plan defers them or leaves them out."""
    ids = list(campaign.recipients.order_by("contact_id").values_list("contact_id", flat=True))
    caller = User.objects.filter(role="press_officer", is_active=True).order_by("username").first()
    if caller is None or not ids:
        return
    for contact_id in rng.sample(ids, min(6, len(ids))):
        for days in sorted(rng.sample([1, 2, 3, 4], rng.randint(1, 2))):
            at = (now - timedelta(days=days)).replace(hour=9, minute=rng.randint(30, 59))
            if at >= now:
                continue
            interactions.log(
                caller,
                {
                    "contact_id": contact_id,
                    "campaign_id": other.pk if other else None,
                    "channel": "phone",
                    "direction": "out",
                    "outcome": Outcome.NOTE,
                    "notes": "Appel au sujet d'un autre client de l'agence.",
                    "at": at,
                },
                now=now,
            )

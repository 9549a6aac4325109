"""Demo campaigns in every state, so a newcomer sees the whole flow at once
(issue 3): drafts, a scheduled press conference, releases and an event
invitation already sent, with opens, replies, bounces and RSVPs.

Briefs and messages go through the services, as a press officer would make
them. What sending and the mailbox would have produced (sent rows, bounces,
replies, out-of-office pauses) is written as the worker and `ingest-mail`
write it, since no e-mail may leave the machine in the demo. Dates are
relative to today; choices come from a seeded generator, so two builds of the
same seed tell the same story. Idempotent: a campaign already there (by
title) is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from relance.accounts.models import Client, User
from relance.campaigns.models import Campaign, CampaignStatus, Recipient, RecipientState, Rsvp
from relance.campaigns.services import create_campaign
from relance.contacts.models import Contact, ContactEmail, EmailStatus
from relance.demo import DEMO_SOURCE
from relance.demo import vocabulary as v
from relance.interactions.models import Interaction
from relance.outreach import tracking
from relance.outreach.inbound import interaction_for, pause_until
from relance.outreach.models import InboundMessage, OutboxMessage, OutboxState, TrackedLink
from relance.outreach.services import queue_campaign, save_message


@dataclass
class Story:
    """One demo campaign: its brief, who it targets, and how far it went."""

    client: int  # index in vocabulary.CLIENTS
    manager: str
    team: list[str]
    brief: dict[str, Any]
    subject: str
    body: str
    beats: tuple[str, ...]
    country: str
    recipients: int
    state: str  # draft, scheduled, sent
    days_ago: int = 0  # when it was sent; for "scheduled", days ahead
    replies: list[str] = field(default_factory=list)


def _since_last_working_day(now: datetime) -> int:
    from zoneinfo import ZoneInfo

    from relance.lib.workdays import for_place

    cal = for_place("FR")
    today = now.astimezone(ZoneInfo("Europe/Paris")).date()
    day = today - timedelta(days=1)
    while not cal.working(day):
        day -= timedelta(days=1)
    return (today - day).days


def _stories(now: datetime) -> list[Story]:
    day = timedelta(days=1)
    return [
        Story(
            client=0,
            manager="marc",
            team=["julie", "thomas"],
            brief={
                "kind": "event",
                "title": "Inauguration du parc solaire de la Crau",
                "summary": "Visite du plus grand parc solaire de Provence, 120 MWc, "
                "avec les élus et les agriculteurs partenaires.",
                "body": "<p>Héliande Énergies inaugure son parc solaire de la Crau, "
                "construit sur d'anciennes friches agricoles.</p><ul><li>120 MWc</li>"
                "<li>l'équivalent de la consommation de 60 000 foyers</li></ul>",
                "key_messages": [
                    "Le solaire sur friches, sans prendre de terres agricoles",
                    "Des emplois locaux pendant le chantier et l'exploitation",
                ],
                "talking_points": [
                    "Visite guidée à 10 h, navette depuis la gare d'Arles",
                    "Interviews possibles avec la directrice générale",
                    "Photos et vidéos de drone dans le dossier de presse",
                ],
                "event_at": now + 5 * day,
                "event_place": "Parc solaire de la Crau, Saint-Martin-de-Crau",
            },
            subject="Invitation : inauguration du parc solaire de la Crau",
            body="<p>Bonjour {{ first_name }},</p><p>Héliande Énergies inaugure son parc "
            "solaire de la Crau et serait heureuse de vous y accueillir.</p>"
            "<p>{{ signature }}</p>",
            beats=("Énergie", "Environnement", "Climat"),
            country="FR",
            recipients=40,
            state="sent",
            days_ago=9,
            replies=[
                "Merci pour l'invitation, je viendrai avec un photographe.",
                "Pouvez-vous m'envoyer le dossier de presse ? Je ne pourrai pas venir.",
            ],
        ),
        Story(
            client=0,
            manager="marc",
            team=["julie", "thomas", "lucas"],
            brief={
                "kind": "release",
                "title": "Héliande Énergies : résultats annuels 2026",
                "summary": "Chiffre d'affaires en hausse de 18 %, 400 MW mis en service.",
                "body": "<p>Héliande Énergies publie ses résultats annuels.</p>",
                "key_messages": ["Une croissance rentable", "400 MW mis en service en 2026"],
                "talking_points": ["Chiffres détaillés dans le communiqué", "Embargo levé"],
            },
            subject="Communiqué : résultats annuels 2026 d'Héliande Énergies",
            body="<p>Bonjour {{ first_name }},</p><p>Vous trouverez ci-dessous les "
            "résultats annuels d'Héliande Énergies. Les chiffres détaillés et les visuels "
            'sont dans <a href="https://presse.heliande.example/resultats-2026">l\'espace '
            "presse</a>.</p><p>{{ signature }}</p>",
            beats=("Énergie", "Économie", "Entreprises"),
            country="FR",
            recipients=120,
            state="sent",
            # Sent on the last working day: its dailies and radio desks are
            # today's calls, so the call desk is alive on first login.
            days_ago=_since_last_working_day(now),
            replies=["Merci, un entretien téléphonique avec le directeur financier ?"],
        ),
        Story(
            client=0,
            manager="marc",
            team=["thomas"],
            brief={
                "kind": "press_conference",
                "title": "Conférence de presse : stockage par batteries",
                "summary": "Annonce du premier site de stockage de l'entreprise.",
                "talking_points": ["Annonce à 11 h précises", "Questions-réponses ensuite"],
                "event_at": now + 9 * day,
                "event_place": "Maison de la Chimie, Paris",
            },
            subject="Conférence de presse : le stockage par batteries d'Héliande",
            body="<p>Bonjour {{ first_name }},</p><p>Héliande Énergies vous convie à "
            "une conférence de presse.</p><p>{{ signature }}</p>",
            beats=("Énergie", "Tech"),
            country="FR",
            recipients=30,
            state="scheduled",
            days_ago=2,
        ),
        Story(
            client=0,
            manager="marc",
            team=["julie"],
            brief={
                "kind": "release",
                "title": "Autoconsommation collective : un nouveau programme",
                "summary": "Projet de communiqué, en relecture chez le client.",
                "key_messages": ["Partager l'énergie produite sur les toits d'un quartier"],
            },
            subject="Communiqué : l'autoconsommation collective, quartier par quartier",
            body="<p>Bonjour {{ first_name }},</p><p>Projet de texte.</p>",
            beats=("Énergie", "Consommation"),
            country="FR",
            recipients=0,
            state="draft",
        ),
        Story(
            client=1,
            manager="sophie",
            team=["amina"],
            brief={
                "kind": "release",
                "language": "fr",
                "title": "Festival Érable et fromages : la programmation 2027",
                "summary": "Trente producteurs, dix chefs et une nuit de la tire "
                "sur la neige au Vieux-Port de Montréal.",
                "key_messages": ["Le terroir québécois à l'honneur", "Entrée libre"],
                "talking_points": ["Dates : du 12 au 15 mars", "Chefs disponibles en entrevue"],
            },
            subject="Communiqué : la programmation 2027 du festival Érable et fromages",
            body="<p>Bonjour {{ first_name }},</p><p>Maison Boréalie dévoile la "
            'programmation du festival : <a href="https://borealie.example/festival-2027">'
            "le programme complet</a>.</p><p>{{ signature }}</p>",
            beats=("Gastronomie", "Culture", "Tourisme"),
            country="CA",
            recipients=45,
            state="sent",
            days_ago=6,
            replies=["Super, je couvre ça dans ma chronique de samedi."],
        ),
        Story(
            client=1,
            manager="sophie",
            team=["amina"],
            brief={
                "kind": "event",
                "title": "Dégustation de presse à Montréal",
                "summary": "Soirée de dégustation pour les chroniqueurs gourmands.",
                "event_at": now + 20 * day,
                "event_place": "Marché Jean-Talon, Montréal",
            },
            subject="Invitation : dégustation de presse au marché Jean-Talon",
            body="<p>Bonjour {{ first_name }},</p><p>Nous serions ravis de vous "
            "accueillir.</p><p>{{ signature }}</p>",
            beats=("Gastronomie",),
            country="CA",
            recipients=25,
            state="draft",
        ),
    ]


def build_campaigns(seed: int) -> int:
    """The demo campaigns; returns how many were added."""
    now = timezone.now().replace(second=0, microsecond=0)
    users = {u.username: u for u in User.objects.filter(username__in=[t[0] for t in v.TEAM])}
    clients = {c.name: c for c in Client.objects.filter(name__in=[c[0] for c in v.CLIENTS])}
    taken: set[int] = set()
    added = 0
    for number, story in enumerate(_stories(now)):
        client = clients.get(v.CLIENTS[story.client][0])
        manager = users.get(story.manager)
        if client is None or manager is None:
            continue
        existing = Campaign.objects.filter(title=story.brief["title"]).first()
        if existing is not None:
            taken.update(existing.recipients.values_list("contact_id", flat=True))
            continue
        rng = random.Random(f"{seed}:campaign:{number}")
        with transaction.atomic():
            _tell(story, client, manager, users, now, rng, taken)
        added += 1
    return added


def _tell(
    story: Story,
    client: Client,
    manager: User,
    users: dict[str, User],
    now: datetime,
    rng: random.Random,
    taken: set[int],
) -> None:
    campaign = create_campaign(
        manager,
        {
            "client_id": client.pk,
            "language": "fr",
            "manager": manager.username,
            "team": story.team,
            **story.brief,
        },
    )
    save_message(manager, campaign, "fr", {"subject": story.subject, "body": story.body})
    if not story.recipients:
        return
    contacts = list(
        Contact.objects.filter(
            source=DEMO_SOURCE,
            beats__name__in=story.beats,
            outlet__country=story.country,
            erased_at__isnull=True,
        )
        .exclude(pk__in=taken)
        .order_by("id")
        .distinct()
        .values_list("id", flat=True)[: story.recipients * 3]
    )
    chosen = sorted(rng.sample(contacts, min(story.recipients, len(contacts))))
    taken.update(chosen)
    reason = "Rubriques\u202f: " + ", ".join(b.lower() for b in story.beats)
    Recipient.objects.bulk_create(
        Recipient(campaign=campaign, contact_id=pk, added_by=manager, reasons=[reason])
        for pk in chosen
    )
    if story.state == "scheduled":
        queue_campaign(manager, campaign, at=now + timedelta(days=story.days_ago))
        return
    if story.state == "sent":
        _sent(campaign, manager, now - timedelta(days=story.days_ago), rng, story.replies)


def _sent(
    campaign: Campaign, manager: User, sent: datetime, rng: random.Random, replies: list[str]
) -> None:
    """What sending, tracking and the mailbox would have recorded."""
    queue_campaign(manager, campaign)
    rows = list(OutboxMessage.objects.filter(campaign=campaign).order_by("id"))
    OutboxMessage.objects.filter(campaign=campaign).update(
        state=OutboxState.SENT,
        sent_at=sent,
        attempts=1,
        smtp_code=250,
        server_reply="250 2.0.0 Ok: queued (demo, nothing left the machine)",
    )
    Recipient.objects.filter(campaign=campaign, outbox__isnull=False).update(
        state=RecipientState.SENT, sent_at=sent
    )
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SENT, sent_at=sent)
    history = [
        _event(row, "sent", sent, key=f"sent:{row.pk}:1", user=manager, direction="out")
        for row in rows
    ]
    inbound: list[InboundMessage] = []
    hours = timedelta(hours=1)
    bounced = rows[-2:]
    # Opens are approximate (images blocked, privacy proxies): about half.
    opened = [r for r in rows if rng.random() < 0.5 and r not in bounced]
    links = tracking.links_for(
        campaign.pk, [u for m in campaign.messages.all() for u in tracking.trackable_urls(m.body)]
    )
    for row in opened:
        when = sent + rng.randint(1, 30) * hours
        Recipient.objects.filter(pk=row.recipient_id).update(
            opened_at=when, opens=rng.randint(1, 3)
        )
        history.append(_event(row, "opened", when, key=f"open:{row.pk}"))
        # A third of those who opened followed the link to the press kit.
        if links and rng.random() < 0.35:
            url, link_id = next(iter(links.items()))
            clicked = when + timedelta(minutes=rng.randint(1, 20))
            Recipient.objects.filter(pk=row.recipient_id).update(clicked_at=clicked, clicks=1)
            TrackedLink.objects.filter(pk=link_id).update(clicks=F("clicks") + 1)
            history.append(
                _event(row, "clicked", clicked, key=f"click:{row.pk}:{link_id}", url=url)
            )
    # Two addresses no longer exist: hard bounces, the address marked bad.
    for row in bounced:
        when = sent + timedelta(minutes=rng.randint(1, 20))
        OutboxMessage.objects.filter(pk=row.pk).update(state=OutboxState.BOUNCED, bounced_at=when)
        Recipient.objects.filter(pk=row.recipient_id).update(
            state=RecipientState.BOUNCED, bounced_at=when
        )
        ContactEmail.objects.filter(contact_id=row.contact_id, address=row.to_address).update(
            status=EmailStatus.BOUNCED
        )
        inbound.append(
            InboundMessage(
                key=f"<demo-bounce-{row.pk}@relance.invalid>",
                kind="bounce",
                reason="userunknown",
                effect="hard_bounce",
                source="demo",
                outbox=row,
                campaign=campaign,
                contact_id=row.contact_id,
                recipient=row.to_address,
                subject="Undelivered Mail Returned to Sender",
                hard=True,
                received_at=when,
            )
        )
    # Replies from people who opened it; an out-of-office pauses one contact.
    for row, text in zip(opened, replies, strict=False):
        when = sent + rng.randint(2, 40) * hours
        Recipient.objects.filter(pk=row.recipient_id).update(replied_at=when)
        inbound.append(
            InboundMessage(
                key=f"<demo-reply-{row.pk}@relance.invalid>",
                kind="reply",
                effect="replied",
                source="demo",
                outbox=row,
                campaign=campaign,
                contact_id=row.contact_id,
                sender=row.to_address,
                subject=f"Re: {campaign.title}",
                summary=text,
                received_at=when,
            )
        )
    away = next((r for r in rows[:-2] if r not in opened), None)
    if away is not None:
        back = (sent + timedelta(days=12)).date()
        pause_until(away.contact_id, back, sent.date())
        inbound.append(
            InboundMessage(
                key=f"<demo-away-{away.pk}@relance.invalid>",
                kind="auto_reply",
                effect="paused",
                source="demo",
                outbox=away,
                campaign=campaign,
                contact_id=away.contact_id,
                sender=away.to_address,
                subject="Réponse automatique : absence",
                return_date=back,
                received_at=sent + hours,
            )
        )
    InboundMessage.objects.bulk_create(inbound)
    history += [i for i in map(interaction_for, inbound) if i is not None]
    if campaign.kind != "release":
        answers = [Rsvp.YES, Rsvp.YES, Rsvp.NO, Rsvp.MAYBE, Rsvp.YES, Rsvp.YES, Rsvp.NO]
        for row, answer in zip(opened, answers, strict=False):
            when = sent + rng.randint(3, 60) * hours
            guests = rng.choice((0, 0, 1, 2)) if answer == Rsvp.YES else 0
            Recipient.objects.filter(pk=row.recipient_id).update(
                rsvp=answer, rsvp_at=when, guests=guests
            )
            history.append(
                _event(row, f"rsvp_{answer}", when, key=f"rsvp:{row.recipient_id}", guests=guests)
            )
    Interaction.objects.bulk_create(history, ignore_conflicts=True)


def _event(
    row: OutboxMessage,
    outcome: str,
    at: datetime,
    *,
    key: str,
    user: User | None = None,
    direction: str = "in",
    **details: Any,
) -> Interaction:
    return Interaction(
        key=key,
        contact_id=row.contact_id,
        campaign_id=row.campaign_id,
        user=user,
        channel="email",
        direction=direction,
        outcome=outcome,
        at=at,
        details=details,
    )

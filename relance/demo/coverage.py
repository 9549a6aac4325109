"""Demo coverage (issue 5): what monitoring found after the sent campaigns.

For each sent demo campaign, some of the outlets that received it ran a
story: an article naming the client, bylined by the journalist who got the
release, carrying its vocabulary and often a key message. Those articles,
with other news of the day and one wire dispatch run by two outlets, are
written as RSS files under RELANCE_DATA_DIR/demo/feeds/ and read through
the path `relance ingest-feeds --feed-file` takes — parsing, storing,
syndication, matching — so the review queue holds what matching really
proposed. About two thirds are then reviewed (most confirmed with a tone,
a few rejected), the rest wait in the queue; a radio segment and a print
clipping are added by hand.

Seeded and idempotent: done once (when no coverage exists).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape

from django.conf import settings
from django.utils import timezone

from relance.accounts.models import User
from relance.campaigns.models import Campaign, CampaignStatus, Recipient, RecipientState
from relance.contacts.models import Outlet
from relance.coverage import items, services
from relance.coverage.models import CoverageItem, CoverageStatus

NEWS = [
    (
        "Le conseil municipal vote le budget des écoles",
        "Les élus ont adopté mardi soir le budget des écoles primaires : rénovation de "
        "trois cantines, nouveaux ordinateurs pour les classes de CM2 et un plan de "
        "végétalisation des cours de récréation, financé sur deux ans.",
    ),
    (
        "Fermeture de la piscine pour travaux jusqu'en mars",
        "La piscine municipale fermera ses portes lundi pour six mois de travaux : "
        "toiture, vestiaires et bassin d'apprentissage. Les clubs seront accueillis "
        "dans les communes voisines.",
    ),
    (
        "Ventora ouvre un parc éolien en mer au large de Saint-Nazaire",
        "Le producteur Ventora a mis en service ses soixante premières éoliennes en mer. "
        "Le parc, raccordé au réseau depuis lundi, alimentera l'équivalent de 700 000 "
        "foyers d'ici l'été.",
    ),
    (
        "Le marché de Noël ouvre ses chalets",
        "Soixante exposants, une patinoire et des concerts chaque soir : le marché de "
        "Noël ouvre vendredi sur la place centrale, avec des navettes gratuites depuis "
        "les parkings relais.",
    ),
]
WIRE = (
    "Énergie : la consommation d'électricité en baisse de 3 % cette année",
    "La consommation d'électricité a reculé de 3 % sur un an, selon le gestionnaire du "
    "réseau, sous l'effet d'un hiver doux et des économies d'énergie des entreprises. "
    "Les industriels ont réduit leur demande de 5 %, les ménages de 2 %. La production "
    "renouvelable a progressé, portée par le solaire et l'éolien en mer.",
)
TONES = ["positive"] * 5 + ["neutral"] * 4 + ["negative"]


def build_coverage(seed: int) -> int:
    """Monitoring's harvest for the demo; returns how many items exist."""
    if CoverageItem.objects.exists():
        return CoverageItem.objects.count()
    now = timezone.now()
    folder = settings.DATA_DIR / "demo" / "feeds"
    folder.mkdir(parents=True, exist_ok=True)
    sent = list(
        Campaign.objects.filter(status=CampaignStatus.SENT, sent_at__isnull=False)
        .select_related("client", "manager")
        .order_by("sent_at", "pk")
    )
    entries: dict[int, list[str]] = {}
    outlets: dict[int, Outlet] = {}
    for number, campaign in enumerate(sent):
        rng = random.Random(f"{seed}:coverage:{number}")
        assert campaign.sent_at is not None
        received = list(
            Recipient.objects.filter(
                campaign=campaign, state=RecipientState.SENT, contact__outlet__isnull=False
            )
            .select_related("contact__outlet")
            .order_by("pk")
        )
        rng.shuffle(received)
        ran = received[: max(3, min(12, len(received) // 6))]
        hours = max(2, int((now - campaign.sent_at).total_seconds() // 3600) - 1)
        for recipient in ran:
            outlet = recipient.contact.outlet
            assert outlet is not None
            outlets[outlet.pk] = outlet
            when = campaign.sent_at + timedelta(hours=rng.randint(1, min(hours, 6 * 24)))
            entries.setdefault(outlet.pk, []).append(
                _entry(campaign, recipient.contact.full_name, outlet, when, rng)
            )
    if not outlets:
        return 0
    # Other news of the day, and one wire dispatch run by two outlets.
    rng = random.Random(f"{seed}:coverage:news")
    for index, pk in enumerate(sorted(outlets)):
        title, text = NEWS[index % len(NEWS)]
        when = now - timedelta(hours=rng.randint(2, 72))
        entries[pk].append(_item(f"{_site(outlets[pk])}/actu/{index}", title, text, "", when))
    for pk in sorted(outlets)[:2]:
        when = now - timedelta(hours=30)
        entries[pk].append(_item(f"{_site(outlets[pk])}/depeche/conso", *WIRE, "AFP", when))
    for pk, rows in sorted(entries.items()):
        document = _rss(outlets[pk], rows)
        (folder / f"outlet-{pk}.xml").write_bytes(document)
        services.ingest_feed_file(outlets[pk], document, at=now, read_pages=False)
    _review(seed, sent)
    return CoverageItem.objects.count()


def _entry(
    campaign: Campaign, author: str, outlet: Outlet, when: datetime, rng: random.Random
) -> str:
    client = campaign.client.name
    lead = rng.choice(
        [
            f"{client} : {campaign.title.split(':')[-1].strip()}",
            campaign.title,
            f"Ce que change l'annonce de {client}",
        ]
    )
    parts = [campaign.summary, _text(campaign.body)]
    messages = [m for m in campaign.key_messages or [] if m]
    if messages and rng.random() < 0.7:
        parts.append(f"« {rng.choice(messages)} », insiste l'entreprise.")
    parts.append(
        f"Interrogée par {outlet.name}, la direction de {client} précise que le calendrier "
        "sera présenté aux partenaires dans les prochaines semaines."
    )
    slug = f"{campaign.pk}-{rng.randint(1000, 9999)}"
    return _item(f"{_site(outlet)}/article/{slug}", lead, " ".join(parts), author, when)


def _text(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", " ", html or "").strip()


def _site(outlet: Outlet) -> str:
    return (outlet.website or f"https://outlet-{outlet.pk}.example").rstrip("/")


def _item(link: str, title: str, text: str, author: str, when: datetime) -> str:
    byline = f"<dc:creator>{escape(author)}</dc:creator>" if author else ""
    return (
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<guid>{escape(link)}</guid><pubDate>{format_datetime(when)}</pubDate>{byline}"
        f"<content:encoded><![CDATA[<p>{escape(text)}</p>]]></content:encoded></item>"
    )


def _rss(outlet: Outlet, rows: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{escape(outlet.name)}</title><link>{escape(_site(outlet))}</link>"
        "<language>fr</language>" + "".join(rows) + "</channel></rss>"
    ).encode()


def _review(seed: int, sent: list[Campaign]) -> None:
    """Two thirds of the queue answered; a segment and a clipping by hand."""
    rng = random.Random(f"{seed}:coverage:review")
    reviewers = {u.pk: u for u in User.objects.filter(is_active=True)}
    queue = list(
        CoverageItem.objects.filter(status=CoverageStatus.CANDIDATE)
        .select_related("campaign")
        .order_by("published_at", "pk")
    )
    for item in queue:
        if rng.random() > 0.66:
            continue
        campaign = item.campaign
        actor = reviewers.get(campaign.manager_id) if campaign else None
        if rng.random() < 0.12:
            items.review(actor, item, CoverageStatus.REJECTED)
        else:
            items.review(actor, item, CoverageStatus.CONFIRMED, tone=rng.choice(TONES))
    if not sent:
        return
    first = sent[0]
    actor = reviewers.get(first.manager_id) if first.manager_id else None
    assert first.sent_at is not None
    day = (first.sent_at + timedelta(days=1)).isoformat()
    messages = [m for m in first.key_messages or [] if m][:1]
    items.add(
        actor,
        {
            "campaign_id": first.pk,
            "outlet_name": "France Bleu Provence",
            "title": f"{first.client.name} au journal de 7 h",
            "published_at": day,
            "medium": "radio",
            "audience": 95_000,
            "tone": "positive",
            "key_messages": messages,
            "summary": "Deux minutes d'entretien avec la directrice générale, reprises à 8 h.",
        },
        source="file",
    )
    paper = Outlet.objects.filter(kind="print").order_by("-audience", "pk").first()
    items.add(
        actor,
        {
            "campaign_id": first.pk,
            "outlet_id": paper.pk if paper else "",
            "outlet_name": "" if paper else "La Provence",
            "title": f"{first.title} : une demi-page en régionale",
            "published_at": day,
            "medium": "print",
            "tone": "neutral",
            "summary": "Une demi-page avec photo ; les chiffres clés du dossier de presse repris.",
        },
        source="manual",
    )

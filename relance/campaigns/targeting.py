"""Targeting: which contacts to propose for a campaign, and why.

Functional core, thin shell (DESIGN.md §3). The core (`brief_terms`,
`score`, `warnings_for`) works on plain data and never touches the
database; the loader (`candidates`, `load_facts`) reads what the core needs
in a few bulk queries:

1. the brief's words, folded, stop words dropped, stemmed (snowball, the
   campaign's language), become prefix terms of the full-text index;
2. each term's matches are read from the index (contact ids only, cheap on
   both engines), and a coarse score (the sum of the IDF of the terms a
   contact matches) keeps the few thousand best lexical candidates;
3. their facts (beats, outlet and editorial line, notes, audience,
   relationships, past campaigns) are loaded in bulk and the core ranks them:
   a BM25 over the words of the contact's profile, combined with the outlet's
   audience, the strongest relationship with the team and past
   responsiveness. Every proposal carries short sentences saying why, and
   the warnings that keep a contact out of the sending.

docs/targeting.md explains the score to users.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import snowballstemmer
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relance.lib.text import fold, words

# --- The brief's terms ---------------------------------------------------------

_STOP = (
    # French (folded)
    "a ai au aux avec ce ces cet cette c ca d dans de des du elle elles en et eux il ils"
    " je j l la le les leur leurs lui m ma mais me meme mes moi mon n ne nos notre nous"
    " on ou par pas pour qu que qui s sa se ses son sur ta te tes toi ton tu un une vos"
    " votre vous y est sont ete etre avoir a ont fait faire plus moins tres tout tous"
    " toute toutes sans sous entre vers chez comme aussi ainsi donc car si deja encore"
    " depuis pendant apres avant leurs dont cela ceci celui celle ceux celles lors afin"
    " nouveau nouvelle nouveaux nouvelles premier premiere annee annees"
    # English
    " an and are as at be been but by for from has have he her his i in is it its of on"
    " or our she that the their them they this to was we were will with you your not"
    " new first year years more most about into over than then there these those which"
    " who what when where why how can could would should may our ours"
)
STOP_WORDS = frozenset(_STOP.split())
MIN_WORD = 3  # shorter words make prefixes that match half the base
MAX_TERMS = 24
_STEMMERS = {"fr": "french", "en": "english"}
_TAG = re.compile(r"<[^>]*>")
_RAW_WORD = re.compile(r"[^\W_]+")


def stemmer_for(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(_STEMMERS.get(language, "french"))


def brief_terms(
    title: str,
    summary: str = "",
    body: str = "",
    key_messages: Iterable[str] = (),
    language: str = "fr",
) -> list[str]:
    """The brief's query terms: folded words minus stop words, stemmed,
    deduplicated, in order of first appearance; the title's words first."""
    text = " ".join([title, summary, _TAG.sub(" ", body or ""), *key_messages])
    stem = stemmer_for(language)
    terms: list[str] = []
    seen: set[str] = set()
    for word in words(text):
        if len(word) < MIN_WORD or word in STOP_WORDS or word.isdigit():
            continue
        if word.startswith("zq"):  # facet tokens of the index
            continue
        term = stem.stemWord(word)
        if len(term) < MIN_WORD:
            term = word
        if term not in seen:
            seen.add(term)
            terms.append(term)
    return terms[:MAX_TERMS]


# --- Plain data --------------------------------------------------------------------


@dataclass(slots=True)
class Facts:
    """What the core knows about one contact."""

    contact_id: int
    name: str
    outlet: str = ""
    title: str = ""
    notes: str = ""
    beats: Sequence[str] = ()
    editorial_line: str = ""
    audience: int = 0
    # (team member's display name, strength 0-3)
    relationships: Sequence[tuple[str, int]] = ()
    past_sent: int = 0  # this contact's messages of past campaigns
    past_replied: int = 0
    past_opened: int = 0  # opened (or clicked) without a reply
    # Past campaigns this contact covered (confirmed coverage they signed):
    # the strongest sign a journalist answers on the subject.
    past_covered: int = 0
    # Past campaigns their outlet covered (any of its journalists): an
    # outlet that takes the agency's stories, a weaker sign.
    outlet_covered: int = 0
    opted_out: bool = False
    do_not_contact: bool = False
    paused_until: date | None = None
    bounced: bool = False
    last_sent_at: datetime | None = None  # the agency's last message, any campaign


@dataclass(slots=True)
class Warning:
    code: str  # opted_out, do_not_contact, paused, bounced, recently_pitched
    message: str

    @property
    def overridable(self) -> bool:
        return self.code == RECENT


@dataclass(slots=True)
class Proposal:
    contact_id: int
    name: str
    outlet: str
    score: float
    reasons: list[str]
    warnings: list[Warning] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        """Never added, whatever the user asks."""
        return any(not w.overridable for w in self.warnings)


# --- Warnings: the journalists' choices -------------------------------------------

OPTED_OUT = "opted_out"
DO_NOT_CONTACT = "do_not_contact"
PAUSED = "paused"
BOUNCED = "bounced"
RECENT = "recently_pitched"
WARNING_CODES = (OPTED_OUT, DO_NOT_CONTACT, PAUSED, BOUNCED, RECENT)
RECENT_DAYS = 7


def warning_label(code: str) -> str:
    return {
        OPTED_OUT: _("opted out"),
        DO_NOT_CONTACT: _("do not contact"),
        PAUSED: _("paused"),
        BOUNCED: _("address bounced"),
        RECENT: _("pitched in the last 7 days"),
    }.get(code, code)


def warnings_for(f: Facts, now: datetime) -> list[Warning]:
    found = []
    if f.opted_out:
        found.append(Warning(OPTED_OUT, _("Opted out of the agency's messages.")))
    if f.do_not_contact:
        found.append(Warning(DO_NOT_CONTACT, _("Marked do not contact.")))
    if f.paused_until is not None and f.paused_until > now.date():
        found.append(
            Warning(
                PAUSED,
                _("Paused until %(date)s.") % {"date": formats.date_format(f.paused_until)},
            )
        )
    if f.bounced:
        found.append(Warning(BOUNCED, _("The primary address bounced.")))
    if f.last_sent_at is not None and f.last_sent_at > now - timedelta(days=RECENT_DAYS):
        found.append(
            Warning(
                RECENT,
                _("Pitched by the agency on %(date)s, less than 7 days ago.")
                % {"date": formats.date_format(f.last_sent_at.date())},
            )
        )
    return found


# --- Scoring -------------------------------------------------------------------------

# Where a word counts, and how much: beats say what a journalist covers.
FIELD_WEIGHTS = {"beats": 3.0, "title": 1.5, "outlet": 1.0, "notes": 1.0}
K1 = 1.2
B = 0.75
WEIGHTS = {"lexical": 0.55, "audience": 0.15, "relationship": 0.15, "responsiveness": 0.15}
AUDIENCE_CAP = 10_000_000  # log-scaled up to here


def idf(df: int, total: int) -> float:
    return math.log(1 + (max(total, df) - df + 0.5) / (df + 0.5))


class _Matcher:
    """Which terms each word starts with (folded), as the index's prefixes
    match; words repeat across contacts (beats, outlets), so it remembers."""

    def __init__(self, terms: Sequence[str]) -> None:
        self.terms = tuple(terms)
        self.known: dict[str, tuple[str, ...]] = {}

    def __call__(self, raw: str) -> tuple[str, ...]:
        found = self.known.get(raw)
        if found is None:
            word = fold(raw)
            found = tuple(t for t in self.terms if word.startswith(t))
            self.known[raw] = found
        return found


def _hits(text: str, match: _Matcher) -> tuple[Counter[str], dict[str, str]]:
    """(matches per term, first original word per term) of `text`."""
    matches: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for raw in _RAW_WORD.findall(text or ""):
        for term in match(raw):
            matches[term] += 1
            shown.setdefault(term, raw.lower())
    return matches, shown


def strength_label(strength: int) -> str:
    return {
        0: _("met once"),
        1: _("acquainted"),
        2: _("good relationship"),
        3: _("long-standing"),
    }.get(strength, str(strength))


def _lexical(
    f: Facts, match: _Matcher, idfs: Mapping[str, float], avgdl: float, dl: int
) -> tuple[float, list[str]]:
    tf: dict[str, float] = {}
    reasons: list[str] = []
    for beat in f.beats:
        m, _shown = _hits(beat, match)
        if m:
            reasons.append(_("beat: %(beat)s") % {"beat": beat})
            for term, n in m.items():
                tf[term] = tf.get(term, 0.0) + FIELD_WEIGHTS["beats"] * n
    m, shown = _hits(f.title, match)
    for term, n in m.items():
        tf[term] = tf.get(term, 0.0) + FIELD_WEIGHTS["title"] * n
    if shown:
        reasons.append(_("title mentions « %(word)s »") % {"word": next(iter(shown.values()))})
    m, shown = _hits(f"{f.outlet} {f.editorial_line}", match)
    for term, n in m.items():
        tf[term] = tf.get(term, 0.0) + FIELD_WEIGHTS["outlet"] * n
    if shown:
        reasons.append(
            _("%(outlet)s covers « %(word)s »")
            % {"outlet": f.outlet, "word": next(iter(shown.values()))}
        )
    m, shown = _hits(f.notes, match)
    for term, n in m.items():
        tf[term] = tf.get(term, 0.0) + FIELD_WEIGHTS["notes"] * n
    if shown:
        reasons.append(
            _("notes mention « %(word)s »") % {"word": ", ".join(list(shown.values())[:3])}
        )
    norm = K1 * (1 - B + B * dl / avgdl) if avgdl else K1
    value = sum(idfs.get(t, 0.0) * n * (K1 + 1) / (n + norm) for t, n in tf.items())
    return value, reasons


def _length(f: Facts) -> int:
    text = " ".join([*f.beats, f.title, f.outlet, f.editorial_line, f.notes])
    return len(_RAW_WORD.findall(text))


# What an unknown contact is assumed to answer, and how many pitches that
# assumption weighs: a journalist never pitched is not ranked below one who
# ignored three releases, nor above one who answered.
PRIOR_ANSWER = 0.3
PRIOR_PITCHES = 2


def responsiveness(f: Facts) -> float:
    """Past campaign messages that got a reply (1) or an open (½), each
    campaign covered counting once more, smoothed towards PRIOR_ANSWER."""
    sent = max(f.past_sent, f.past_covered)
    hits = f.past_replied + 0.5 * f.past_opened + f.past_covered
    if not f.past_covered:
        # Each campaign the outlet covered weighs a quarter of a pitch that
        # was answered: below the journalist's own record.
        outlet = 0.25 * min(f.outlet_covered, 4)
        hits, sent = hits + outlet, sent + outlet
    return min(1.0, (hits + PRIOR_ANSWER * PRIOR_PITCHES) / (sent + PRIOR_PITCHES))


def score(
    facts: Iterable[Facts],
    terms: Sequence[str],
    df: Mapping[str, int],
    total: int,
    now: datetime,
    limit: int | None = 200,
) -> list[Proposal]:
    """Rank contacts for the brief's `terms`. `df` is each term's number of
    matching contacts in the whole base (`total` contacts). Contacts with no
    lexical match are left out; ties go to the smaller id (deterministic)."""
    facts = list(facts)
    if not facts or not terms:
        return []
    idfs = {t: idf(df.get(t, 0), total) for t in terms}
    lengths = {f.contact_id: _length(f) for f in facts}
    avgdl = sum(lengths.values()) / len(lengths) or 1.0
    lexical: list[tuple[Facts, float, list[str]]] = []
    match = _Matcher(terms)
    for f in facts:
        value, reasons = _lexical(f, match, idfs, avgdl, lengths[f.contact_id])
        if value > 0:
            lexical.append((f, value, reasons))
    if not lexical:
        return []
    best = max(v for _f, v, _r in lexical)
    proposals = []
    for f, value, reasons in lexical:
        audience = min(1.0, math.log10(1 + max(f.audience, 0)) / math.log10(AUDIENCE_CAP))
        strongest = max(f.relationships, key=lambda r: (r[1], r[0]), default=None)
        strength = strongest[1] if strongest else 0
        respond = responsiveness(f)
        total_score = (
            WEIGHTS["lexical"] * value / best
            + WEIGHTS["audience"] * audience
            + WEIGHTS["relationship"] * strength / 3
            + WEIGHTS["responsiveness"] * respond
        )
        reasons = list(reasons)
        if strongest is not None:
            reasons.append(
                _("knows %(member)s (%(strength)s)")
                % {"member": strongest[0], "strength": strength_label(strongest[1])}
            )
        if f.past_covered:
            reasons.append(
                ngettext(
                    "covered %(n)d past campaign",
                    "covered %(n)d past campaigns",
                    f.past_covered,
                )
                % {"n": f.past_covered}
            )
        elif f.outlet_covered:
            reasons.append(
                ngettext(
                    "their outlet covered %(n)d past campaign",
                    "their outlet covered %(n)d past campaigns",
                    f.outlet_covered,
                )
                % {"n": f.outlet_covered}
            )
        if f.past_sent:
            if f.past_replied:
                reasons.append(
                    ngettext(
                        "replied to %(n)d of %(total)d past campaign",
                        "replied to %(n)d of %(total)d past campaigns",
                        f.past_sent,
                    )
                    % {"n": f.past_replied, "total": f.past_sent}
                )
            elif f.past_opened:
                reasons.append(
                    ngettext(
                        "opened %(n)d of %(total)d past campaign",
                        "opened %(n)d of %(total)d past campaigns",
                        f.past_sent,
                    )
                    % {"n": f.past_opened, "total": f.past_sent}
                )
            else:
                reasons.append(
                    ngettext(
                        "no answer to %(total)d past campaign",
                        "no answer to %(total)d past campaigns",
                        f.past_sent,
                    )
                    % {"total": f.past_sent}
                )
        if f.audience > 0:
            reasons.append(
                _("audience %(n)s") % {"n": formats.number_format(f.audience, force_grouping=True)}
            )
        proposals.append(
            Proposal(
                contact_id=f.contact_id,
                name=f.name,
                outlet=f.outlet,
                score=round(total_score, 4),
                reasons=reasons,
                warnings=warnings_for(f, now),
            )
        )
    proposals.sort(key=lambda p: (-p.score, p.contact_id))
    return proposals[:limit] if limit is not None else proposals


# --- The loader (the shell: a few bulk queries) ---------------------------------------

CANDIDATES = 1200  # best lexical candidates whose facts are loaded
COMMON_SHARE = 0.05
SMALL_BASE = 50_000
# Index matches read to pick candidates, at most (the rarest term always).
ROW_BUDGET = {"sqlite": 400_000, "postgresql": 60_000}
# Table pages PostgreSQL asks the kernel for ahead of a term's matches
# (`effective_io_concurrency`; the server's default, 1, reads them one by one).
HEAP_PREFETCH = 64


@contextmanager
def _heap_prefetch() -> Iterator[None]:
    """On PostgreSQL, prefetch the table pages of the term reads: each match
    is a row on its own page, so from a cold cache (the base idle for a
    while) the reads wait on the disk one page at a time: 2.2 s instead of
    0.6 s for the wind-farm brief of the benchmark (docs/performance.md).
    The connection's own setting comes back after; a server set higher, or
    without prefetching (0, e.g. macOS), is left alone."""
    from django.db import DatabaseError, connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('effective_io_concurrency')")
        before = cursor.fetchone()[0]
        raise_it = 0 < int(before) < HEAP_PREFETCH
        if raise_it:
            cursor.execute(
                "SELECT set_config('effective_io_concurrency', %s, false)", [str(HEAP_PREFETCH)]
            )
    try:
        yield
    finally:
        if raise_it:
            try:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('effective_io_concurrency', %s, false)", [before]
                    )
            except DatabaseError:  # an aborted transaction: its rollback restores it
                pass


def _term_ids(term: str) -> list[int]:
    """Ids of the contacts whose document has a word starting with `term`."""
    from django.db import connection

    from relance.contacts import sortrank

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT id FROM contacts_contact"
                " WHERE search_vector @@ to_tsquery('simple'::regconfig, %s)",
                [f"{term}:*"],
            )
        else:
            cursor.execute(
                f"SELECT rowid & {sortrank.ID_MASK} FROM contacts_contact_fts"
                " WHERE contacts_contact_fts MATCH %s",
                [f'"{term}"*'],
            )
        return [row[0] for row in cursor.fetchall()]


def _total_contacts() -> int:
    from django.db.models import Max

    from relance.contacts.models import Contact

    return int(Contact.objects.aggregate(n=Max("id"))["n"] or 0)


def _estimated_df(term: str) -> int:
    """PostgreSQL's estimate of a term's matches (its text-search statistics
    are close): counting them would read every matching row."""
    import json

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM contacts_contact"
            " WHERE search_vector @@ to_tsquery('simple'::regconfig, %s)",
            [f"{term}:*"],
        )
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def candidates(terms: Sequence[str], limit: int = CANDIDATES) -> tuple[list[int], dict[str, int]]:
    """The `limit` best lexical candidates (sum of the IDF of the terms they
    match, ties to the smaller id) and each term's document frequency.

    Rare terms first: terms found in more than COMMON_SHARE of the base say
    little about a contact, and once `ROW_BUDGET` matches were read the
    remaining (commoner) terms count in the final score only. On
    PostgreSQL, reading a match costs a heap visit, so frequencies come from
    the planner's estimates and the budget is smaller."""
    from django.db import connection

    total = _total_contacts()
    # A small base is read whole: exact frequencies, every term.
    postgres = connection.vendor == "postgresql" and total > SMALL_BASE
    budget = ROW_BUDGET["postgresql" if postgres else "sqlite"]
    found: dict[str, list[int]] = {}
    df: dict[str, int] = {}
    coarse: dict[int, float] = {}
    read = 0
    with _heap_prefetch():
        for term in terms:
            if postgres:
                df[term] = _estimated_df(term)
            else:
                found[term] = _term_ids(term)
                df[term] = len(found[term])
        for term in sorted(terms, key=lambda t: (df[t], t)):
            if df[term] == 0:
                continue
            common = df[term] > COMMON_SHARE * total or read + df[term] > budget
            if coarse and common and total > SMALL_BASE:
                break
            ids = found[term] if term in found else _term_ids(term)
            read += len(ids)
            weight = idf(df[term], total)
            get = coarse.get
            for contact_id in ids:
                coarse[contact_id] = get(contact_id, 0.0) + weight
    best = heapq.nsmallest(limit, coarse.items(), key=lambda item: (-item[1], item[0]))
    return [contact_id for contact_id, _w in best], df


def document_frequencies(terms: Sequence[str]) -> dict[str, int]:
    from django.db import connection

    df = {}
    with connection.cursor() as cursor:
        for term in terms:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT count(*) FROM contacts_contact"
                    " WHERE search_vector @@ to_tsquery('simple'::regconfig, %s)",
                    [f"{term}:*"],
                )
            else:
                cursor.execute(
                    "SELECT count(*) FROM contacts_contact_fts WHERE contacts_contact_fts MATCH %s",
                    [f'"{term}"*'],
                )
            df[term] = int(cursor.fetchone()[0])
    return df


def load_facts(contact_ids: Sequence[int], exclude_campaign_id: int | None = None) -> list[Facts]:
    """The facts of these contacts (erased ones left out), in eight queries."""
    from django.db.models import Count, Max, Q

    from relance.campaigns.models import Recipient
    from relance.contacts.models import (
        Contact,
        ContactBeat,
        ContactEmail,
        EmailStatus,
        Relationship,
    )

    ids = list(dict.fromkeys(contact_ids))
    if not ids:
        return []
    rows = Contact.objects.filter(id__in=ids, erased_at__isnull=True).values_list(
        "outlet_id",
        "id",
        "first_name",
        "last_name",
        "title",
        "notes",
        "outlet__name",
        "outlet__editorial_line",
        "outlet__audience",
        "opted_out",
        "do_not_contact",
        "paused_until",
    )
    beats: dict[int, list[str]] = {}
    for contact_id, name in (
        ContactBeat.objects.filter(contact_id__in=ids)
        .order_by("contact_id", "beat__name")
        .values_list("contact_id", "beat__name")
    ):
        beats.setdefault(contact_id, []).append(name)
    relations: dict[int, list[tuple[str, int]]] = {}
    for contact_id, first, username, strength in (
        Relationship.objects.filter(contact_id__in=ids, user__is_active=True)
        .order_by("contact_id", "user__username")
        .values_list("contact_id", "user__first_name", "user__username", "strength")
    ):
        relations.setdefault(contact_id, []).append((first or username, strength))
    bounced = set(
        ContactEmail.objects.filter(
            contact_id__in=ids, is_primary=True, status=EmailStatus.BOUNCED
        ).values_list("contact_id", flat=True)
    )
    past = Recipient.objects.filter(contact_id__in=ids, sent_at__isnull=False)
    if exclude_campaign_id is not None:
        past = past.exclude(campaign_id=exclude_campaign_id)
    last_sent = dict(
        past.values("contact_id").annotate(last=Max("sent_at")).values_list("contact_id", "last")
    )
    stats: dict[int, dict[str, int]] = {
        int(row["contact_id"]): {k: int(row[k]) for k in ("sent", "replied", "opened")}
        for row in past.values("contact_id").annotate(
            sent=Count("id"),
            replied=Count("id", filter=Q(replied_at__isnull=False)),
            opened=Count(
                "id",
                filter=Q(replied_at__isnull=True)
                & (Q(opened_at__isnull=False) | Q(clicked_at__isnull=False)),
            ),
        )
    }
    from relance.coverage.models import CoverageItem, CoverageStatus

    signed = CoverageItem.objects.filter(
        contact_id__in=ids, status=CoverageStatus.CONFIRMED, campaign__isnull=False
    )
    if exclude_campaign_id is not None:
        signed = signed.exclude(campaign_id=exclude_campaign_id)
    covered = dict(
        signed.values("contact_id")
        .annotate(n=Count("campaign_id", distinct=True))
        .values_list("contact_id", "n")
    )
    outlet_ids = {r[0] for r in rows if r[0]}
    ran = CoverageItem.objects.filter(
        outlet_id__in=outlet_ids, status=CoverageStatus.CONFIRMED, campaign__isnull=False
    )
    if exclude_campaign_id is not None:
        ran = ran.exclude(campaign_id=exclude_campaign_id)
    outlet_covered = dict(
        ran.values("outlet_id")
        .annotate(n=Count("campaign_id", distinct=True))
        .values_list("outlet_id", "n")
    )
    facts = []
    for (
        outlet_id,
        contact_id,
        first,
        last,
        title,
        notes,
        outlet,
        line,
        audience,
        opted_out,
        dnc,
        paused,
    ) in rows:
        stat = stats.get(contact_id, {})
        facts.append(
            Facts(
                contact_id=contact_id,
                name=f"{first} {last}".strip(),
                outlet=outlet or "",
                title=title,
                notes=notes,
                beats=beats.get(contact_id, ()),
                editorial_line=line or "",
                audience=audience or 0,
                relationships=relations.get(contact_id, ()),
                past_sent=stat.get("sent", 0),
                past_replied=stat.get("replied", 0),
                past_opened=stat.get("opened", 0),
                past_covered=covered.get(contact_id, 0),
                outlet_covered=outlet_covered.get(outlet_id, 0),
                opted_out=opted_out,
                do_not_contact=dnc,
                paused_until=paused,
                bounced=contact_id in bounced,
                last_sent_at=last_sent.get(contact_id),
            )
        )
    facts.sort(key=lambda f: f.contact_id)
    return facts

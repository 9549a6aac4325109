"""From columns to fields: the mapping targets, the automatic mapping, and
turning one row of cells into the raw values `clean_contact` and
`clean_outlet` check.

Spreadsheets say "quotidien", "Journaliste", "oui", "France": those words
are translated here into the codes the validators accept, so the validators
stay strict and the messages stay theirs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.accounts.models import Language
from relance.contacts.importing.base import Cell, Item, Problem, Table, cell_text
from relance.contacts.importing.headers import THUNDERBIRD_ORDER, recognise
from relance.contacts.models import Channel, ContactRole, LegalBasis, OutletKind, Periodicity
from relance.contacts.validation import SOCIAL_NETWORKS
from relance.lib.text import fold


@dataclass(frozen=True)
class Target:
    key: str
    label: Any  # lazy translation
    group: str  # contact, outlet, ignore
    multi: bool = False  # several columns may feed it


_SOCIAL_LABELS = {
    "x": "X (Twitter)",
    "linkedin": "LinkedIn",
    "instagram": "Instagram",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "facebook": "Facebook",
    "threads": "Threads",
    "tiktok": "TikTok",
    "youtube": "YouTube",
}
TARGETS: tuple[Target, ...] = (
    Target("ignore", gettext_lazy("— Ignore this column —"), "ignore", multi=True),
    Target("first_name", gettext_lazy("First name"), "contact"),
    Target("last_name", gettext_lazy("Last name"), "contact"),
    Target("full_name", gettext_lazy("Full name (split into first and last)"), "contact"),
    Target("role", gettext_lazy("Role"), "contact"),
    Target("title", gettext_lazy("Job title"), "contact"),
    Target("emails", gettext_lazy("E-mail"), "contact", multi=True),
    Target("phones", gettext_lazy("Phone"), "contact", multi=True),
    Target("beats", gettext_lazy("Beats"), "contact", multi=True),
    Target("language", gettext_lazy("Language"), "contact"),
    *(Target(f"social.{n}", _SOCIAL_LABELS.get(n, n), "contact") for n in SOCIAL_NETWORKS),
    Target("accepts_phone", gettext_lazy("Accepts phone calls"), "contact"),
    Target("preferred_channel", gettext_lazy("Preferred channel"), "contact"),
    Target("best_hours", gettext_lazy("Best hours"), "contact"),
    Target("paused_until", gettext_lazy("Paused until"), "contact"),
    Target("opted_out", gettext_lazy("Opted out"), "contact"),
    Target("opted_out_source", gettext_lazy("Opted out by (self or agency)"), "contact"),
    Target("do_not_contact", gettext_lazy("Do not contact"), "contact"),
    Target("vip", gettext_lazy("VIP"), "contact"),
    Target("notes", gettext_lazy("Notes"), "contact", multi=True),
    Target("legal_basis", gettext_lazy("Legal basis"), "contact"),
    Target("source", gettext_lazy("Source"), "contact"),
    Target("outlet_name", gettext_lazy("Outlet: name"), "outlet"),
    Target("outlet_kind", gettext_lazy("Outlet: kind"), "outlet"),
    Target("outlet_periodicity", gettext_lazy("Outlet: periodicity"), "outlet"),
    Target("outlet_country", gettext_lazy("Outlet: country"), "outlet"),
    Target("outlet_region", gettext_lazy("Outlet: region or province"), "outlet"),
    Target("outlet_city", gettext_lazy("Outlet: city"), "outlet"),
    Target("outlet_website", gettext_lazy("Outlet: website"), "outlet"),
)
TARGETS_BY_KEY = {t.key: t for t in TARGETS}
NAME_TARGETS = ("first_name", "last_name", "full_name")
# Outlet target -> clean_outlet field.
OUTLET_FIELDS = {
    "outlet_name": "name",
    "outlet_kind": "kind",
    "outlet_periodicity": "periodicity",
    "outlet_country": "country",
    "outlet_region": "region",
    "outlet_city": "city",
    "outlet_website": "website",
}

# --- Automatic mapping -----------------------------------------------------


def looks_like_header(cells: list[str]) -> bool:
    """False when the first row is already a contact (no header row): it has
    an e-mail address and no cell names a known column."""
    texts = [c.strip() for c in cells if c and c.strip()]
    if any(recognise(c) for c in texts):
        return True
    return not any("@" in c or c.replace(" ", "").lstrip("+").isdigit() for c in texts)


# vCard properties are matched by name first: "ROLE" (a free-text
# occupation there) must not be read as Relance's role.
VCARD_TARGETS = {
    "FN": "full_name",
    "N (family)": "last_name",
    "N (given)": "first_name",
    "ORG": "outlet_name",
    "TITLE": "title",
    "EMAIL": "emails",
    "TEL": "phones",
    "TEL (fax, pager)": "ignore",
    "CATEGORIES": "beats",
    "NOTE": "notes",
    "ROLE": "ignore",
    "NICKNAME": "ignore",
    "URL": "ignore",
}


def auto_mapping(table: Table) -> dict[str, str]:
    """column index (as text, the JSON key) -> target key."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    if table.has_header:
        for i, header in enumerate(table.headers):
            found = recognise(header)
            target = found[0] if found else "ignore"
            if table.format == "vcf" and header in VCARD_TARGETS:
                target = VCARD_TARGETS[header]
            if not TARGETS_BY_KEY[target].multi and target in taken:
                target = "ignore"  # a second "Nom": the user decides
            taken.add(target)
            mapping[str(i)] = target
        return mapping
    # No header: recognise e-mail and phone columns by their content, and
    # read Thunderbird's header-less layout when its e-mail column is there.
    sniffed = [_sniff_column(table, i) for i in range(len(table.headers))]
    thunderbird = len(sniffed) >= 5 and sniffed[4] == "emails"
    for i, kind in enumerate(sniffed):
        if thunderbird and i < len(THUNDERBIRD_ORDER):
            mapping[str(i)] = THUNDERBIRD_ORDER[i]
        else:
            mapping[str(i)] = kind
    return mapping


def _sniff_column(table: Table, col: int) -> str:
    values = [table.cell_text(r, col).strip() for r in range(min(len(table), 50))]
    values = [v for v in values if v]
    if not values:
        return "ignore"
    if sum("@" in v for v in values) * 2 > len(values):
        return "emails"
    digits = [re.sub(r"[\s.\-()/+]", "", v) for v in values]
    if sum(d.isdigit() and 8 <= len(d) <= 15 for d in digits) * 2 > len(values):
        return "phones"
    return "ignore"


def mapping_problems(table: Table, mapping: Mapping[str, str]) -> list[Problem]:
    """What makes a mapping unusable as a whole (reported once, not per row)."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for index, target in sorted(mapping.items(), key=lambda kv: int(kv[0])):
        header = table.headers[int(index)]
        spec = TARGETS_BY_KEY.get(target)
        if spec is None:
            problems.append(
                Problem(_("Unknown field “%(field)s”.") % {"field": target}, column=header)
            )
            continue
        if not spec.multi and target in seen:
            problems.append(
                Problem(
                    _("Columns “%(first)s” and “%(second)s” both go to %(field)s; keep one.")
                    % {"first": seen[target], "second": header, "field": spec.label},
                    column=header,
                    field=target,
                )
            )
        seen.setdefault(target, header)
    if not any(t in seen for t in NAME_TARGETS):
        problems.append(
            Problem(
                _(
                    "No column gives the contacts' names: map a column to Last name, "
                    "First name or Full name."
                ),
                field="last_name",
            )
        )
    return problems


def parse_map_option(table: Table, values: list[str], mapping: dict[str, str]) -> list[Problem]:
    """Apply `--map "Column=field"` corrections to `mapping` (in place)."""
    problems = []
    for value in values:
        header, sep, target = value.rpartition("=")
        header, target = header.strip(), target.strip()
        if not sep or not header:
            problems.append(
                Problem(_('Use --map "Column=field", not “%(value)s”.') % {"value": value})
            )
            continue
        if target not in TARGETS_BY_KEY:
            problems.append(
                Problem(
                    _("Unknown field “%(field)s”; use one of: %(known)s.")
                    % {"field": target, "known": ", ".join(TARGETS_BY_KEY)},
                    column=header,
                )
            )
            continue
        index = next((i for i, h in enumerate(table.headers) if h == header), None)
        if index is None:
            index = next((i for i, h in enumerate(table.headers) if fold(h) == fold(header)), None)
        if index is None:
            problems.append(Problem(_("The file has no column “%(column)s”.") % {"column": header}))
            continue
        mapping[str(index)] = target
    return problems


# --- Values ----------------------------------------------------------------

_ROLE_WORDS = {
    "journaliste": "journalist",
    "reporter": "journalist",
    "reporteur": "journalist",
    "pigiste": "journalist",
    "correspondant": "journalist",
    "correspondante": "journalist",
    "redacteur": "journalist",
    "redactrice": "journalist",
    "chroniqueur": "journalist",
    "chroniqueuse": "journalist",
    "redacteur en chef": "editor",
    "redactrice en chef": "editor",
    "chef de rubrique": "editor",
    "chef d edition": "editor",
    "editeur": "editor",
    "editrice": "editor",
    "affectateur": "assignment_editor",
    "affectatrice": "assignment_editor",
    "chef des informations": "assignment_editor",
    "recherchiste": "researcher",
    "documentaliste": "researcher",
    "booker": "researcher",
    "producteur": "producer",
    "productrice": "producer",
    "realisateur": "producer",
    "realisatrice": "producer",
    "animateur": "host",
    "animatrice": "host",
    "presentateur": "host",
    "presentatrice": "host",
    "blogueur": "blogger",
    "blogueuse": "blogger",
    "influenceur": "influencer",
    "influenceuse": "influencer",
    "createur de contenu": "influencer",
    "creatrice de contenu": "influencer",
    "autre": "other",
}
_KIND_WORDS = {
    "presse": "print",
    "presse ecrite": "print",
    "ecrit": "print",
    "papier": "print",
    "magazine": "print",
    "journal": "print",
    "quotidien": "print",
    "television": "tv",
    "tele": "tv",
    "tv": "tv",
    "tele radio": "tv",
    "radio": "radio",
    "web": "web",
    "internet": "web",
    "site": "web",
    "site web": "web",
    "pure player": "web",
    "en ligne": "web",
    "online": "web",
    "podcast": "podcast",
    "balado": "podcast",
    "baladodiffusion": "podcast",
    "blog": "blog",
    "blogue": "blog",
    "agence": "wire",
    "agence de presse": "wire",
    "wire": "wire",
    "fil": "wire",
}
_PERIOD_WORDS = {
    "quotidien": "daily",
    "quotidienne": "daily",
    "journalier": "daily",
    "jour": "daily",
    "hebdomadaire": "weekly",
    "hebdo": "weekly",
    "semaine": "weekly",
    "bimensuel": "biweekly",
    "bimensuelle": "biweekly",
    "quinzaine": "biweekly",
    "fortnightly": "biweekly",
    "mensuel": "monthly",
    "mensuelle": "monthly",
    "mois": "monthly",
    "bimestriel": "bimonthly",
    "bimestrielle": "bimonthly",
    "trimestriel": "quarterly",
    "trimestrielle": "quarterly",
    "continu": "continuous",
    "en continu": "continuous",
    "continue": "continuous",
    "live": "continuous",
    "irregulier": "irregular",
    "irreguliere": "irregular",
    "ponctuel": "irregular",
}
_LANGUAGE_WORDS = {
    "francais": "fr",
    "french": "fr",
    "fr": "fr",
    "fr fr": "fr",
    "fr ca": "fr",
    "anglais": "en",
    "english": "en",
    "en": "en",
    "en ca": "en",
    "en gb": "en",
    "en us": "en",
}
_CHANNEL_WORDS = {
    "courriel": "email",
    "mail": "email",
    "e mail": "email",
    "email": "email",
    "telephone": "phone",
    "tel": "phone",
    "appel": "phone",
    "phone": "phone",
    "reseaux sociaux": "social",
    "reseau social": "social",
    "dm": "social",
    "message prive": "social",
    "social": "social",
}
_BASIS_WORDS = {
    "interet legitime": "legitimate_interest",
    "consentement": "consent",
    "contrat": "contract",
    "public": "public",
    "rendu public": "public",
    "donnees publiques": "public",
}
_OPT_OUT_BY_WORDS = {
    "self": "self",
    "journalist": "self",
    "journaliste": "self",
    "contact": "self",
    "lui meme": "self",
    "elle meme": "self",
    "agency": "agency",
    "agence": "agency",
}
_COUNTRY_WORDS = {
    "france": "FR",
    "canada": "CA",
    "quebec": "CA",
    "belgique": "BE",
    "belgium": "BE",
    "suisse": "CH",
    "switzerland": "CH",
    "luxembourg": "LU",
    "etats unis": "US",
    "united states": "US",
    "usa": "US",
    "u s a": "US",
    "monaco": "MC",
    "maroc": "MA",
    "morocco": "MA",
    "tunisie": "TN",
    "algerie": "DZ",
    "senegal": "SN",
    "cote d ivoire": "CI",
    "royaume uni": "GB",
    "united kingdom": "GB",
    "uk": "GB",
    "allemagne": "DE",
    "germany": "DE",
    "espagne": "ES",
    "spain": "ES",
    "italie": "IT",
    "italy": "IT",
}


def _key(value: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold(value)).replace("_", " ").split())


@lru_cache(maxsize=8)
def _choice_words(choices: type[TextChoices], extra: tuple[tuple[str, str], ...]) -> dict:
    """Codes, the labels in every interface language, and the extra words."""
    words = {_key(c.value): c.value for c in choices}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices.choices:
                words.setdefault(_key(str(label)), value)
    for word, value in extra:
        words.setdefault(_key(word), value)
    return words


def _translator(choices: type[TextChoices], extra: dict[str, str]):
    frozen = tuple(extra.items())
    seen: dict[str, str] = {}  # a column holds a handful of distinct words

    def translate(value: str) -> str:
        try:
            return seen[value]
        except KeyError:
            pass
        if len(seen) > 10_000:
            seen.clear()
        seen[value] = _choice_words(choices, frozen).get(_key(value), value)
        return seen[value]

    return translate


def _simple(words: dict[str, str]):
    seen: dict[str, str] = {}

    def translate(value: str) -> str:
        try:
            return seen[value]
        except KeyError:
            pass
        if len(seen) > 10_000:
            seen.clear()
        seen[value] = words.get(_key(value), value)
        return seen[value]

    return translate


# target -> function from the text typed to the value the validator checks.
TRANSLATE = {
    "role": _translator(ContactRole, _ROLE_WORDS),
    "outlet_kind": _translator(OutletKind, _KIND_WORDS),
    "outlet_periodicity": _translator(Periodicity, _PERIOD_WORDS),
    "language": _translator(Language, _LANGUAGE_WORDS),
    "preferred_channel": _translator(Channel, _CHANNEL_WORDS),
    "legal_basis": _translator(LegalBasis, _BASIS_WORDS),
    "opted_out_source": _simple(_OPT_OUT_BY_WORDS),
    "outlet_country": _simple(_COUNTRY_WORDS),
}

# --- Rows ------------------------------------------------------------------

_SPLIT_MULTI = re.compile(r"[;,\n]")
_PARTICLES = {
    "de",
    "du",
    "des",
    "d",
    "van",
    "von",
    "der",
    "den",
    "di",
    "da",
    "dos",
    "del",
    "della",
    "le",
    "la",
    "ben",
    "bin",
    "al",
    "el",
}


# How build_row treats a column (decided once per import, not per cell).
_EMAILS, _PHONES, _FIELD, _NOTES, _BEATS, _FULL, _SOCIAL, _OUTLET = range(8)
_BEAT_SPLIT = re.compile(r"[;|\n]")


def split_beats(text: str) -> list[str]:
    """ "Énergie, Climat" or "Énergie; Climat, et environnement": semicolons
    (or | and new lines) separate beats when there are any, else commas."""
    if ";" in text or "|" in text or "\n" in text:
        return _BEAT_SPLIT.split(text)
    return text.split(",")


def join_beats(names: list[str]) -> str:
    """The inverse of split_beats: "; " between beats, and a final ";" when
    a single beat holds a comma (so it is not split on it)."""
    text = "; ".join(names)
    return f"{text};" if len(names) == 1 and "," in text else text


@dataclass
class Spec:
    """A mapping compiled for speed: what to do with each column."""

    columns: list[tuple[int, str, str, str]]  # (index, target, header, label)
    handlers: list[tuple[int, int, str, str, str, Any]] = field(default_factory=list)
    notes_columns: int = 0
    outlet_name_col: int | None = None
    outlet_country_col: int | None = None


def compile_mapping(table: Table, mapping: Mapping[str, str]) -> Spec:
    columns = []
    for index, target in sorted(mapping.items(), key=lambda kv: int(kv[0])):
        i = int(index)
        if target == "ignore" or i >= len(table.headers) or target not in TARGETS_BY_KEY:
            continue
        header = table.headers[i]
        found = recognise(header)
        label = found[1] if found and found[0] == target else ""
        columns.append((i, target, header, label))
    spec = Spec(columns=columns)
    spec.notes_columns = sum(1 for c in columns if c[1] == "notes")
    spec.outlet_name_col = next((c[0] for c in columns if c[1] == "outlet_name"), None)
    spec.outlet_country_col = next((c[0] for c in columns if c[1] == "outlet_country"), None)
    for i, target, header, label in columns:
        if target == "emails":
            kind, name = _EMAILS, "address"
        elif target == "phones":
            kind, name = _PHONES, "number"
        elif target == "notes":
            kind, name = _NOTES, "notes"
        elif target == "beats":
            kind, name = _BEATS, "beats"
        elif target == "full_name":
            kind, name = _FULL, "full_name"
        elif target.startswith("social."):
            kind, name = _SOCIAL, target[7:]
        elif target in OUTLET_FIELDS:
            kind, name = _OUTLET, OUTLET_FIELDS[target]
        else:
            kind, name = _FIELD, target
        spec.handlers.append((i, kind, name, header, label, TRANSLATE.get(target)))
    return spec


@dataclass
class RowData:
    """One row as raw field values, and where each value came from."""

    contact: dict[str, Any] = field(default_factory=dict)
    outlet: dict[str, str] = field(default_factory=dict)  # clean_outlet field -> text
    columns: dict[str, str] = field(default_factory=dict)  # field -> header
    email_columns: list[str] = field(default_factory=list)  # parallel to contact["emails"]
    phone_columns: list[str] = field(default_factory=list)


def _plain(text: str) -> str:
    # Our export protects cells that a spreadsheet would run as a formula
    # with a leading apostrophe; take it off again.
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def _items(cell: Cell) -> list[Item]:
    if isinstance(cell, list):
        return cell
    if ";" not in cell and "," not in cell and "\n" not in cell:
        return [cell]
    return [part for part in _SPLIT_MULTI.split(cell) if part.strip()]


def build_row(cells: list[Cell], spec: Spec) -> RowData:
    """The raw contact and outlet values of one row (this runs once per row
    of the file: keep it lean)."""
    data = RowData()
    contact = data.contact
    columns = data.columns
    full_name = ""
    notes: list[str] = []
    for index, kind, name, header, label, translate in spec.handlers:
        cell = cells[index]
        if not cell:
            continue
        if kind <= _PHONES:
            target = "emails" if kind == _EMAILS else "phones"
            items = contact.get(target)
            if items is None:
                items = contact[target] = []
                columns[target] = header
            where = data.email_columns if kind == _EMAILS else data.phone_columns
            for item in _items(cell):
                if isinstance(item, str):
                    text, item_label = item, label
                else:
                    text, item_label = item
                text = text.strip()
                if text:
                    if text[0] == "'":
                        text = _plain(text)
                    items.append({name: text, "label": item_label or label})
                    where.append(header)
            continue
        if cell.__class__ is str:
            text = cell.strip()
            if not text:
                continue
            if text[0] == "'":
                text = _plain(text)
        else:
            text = cell_text(cell)
        if kind == _FIELD:
            contact[name] = translate(text) if translate else text
            columns[name] = header
        elif kind == _OUTLET:
            data.outlet[name] = translate(text) if translate else text
            columns[f"outlet_{name}"] = header
        elif kind == _BEATS:
            beats = contact.get("beats")
            if beats is None:
                beats = contact["beats"] = []
                columns["beats"] = header
            beats.extend(split_beats(text))
        elif kind == _NOTES:
            notes.append(f"{header}: {text}" if spec.notes_columns > 1 else text)
            columns.setdefault("notes", header)
        elif kind == _FULL:
            full_name = text
            columns["full_name"] = header
        else:  # _SOCIAL
            social = contact.get("social")
            if social is None:
                social = contact["social"] = {}
                columns["social"] = header
            social[name] = text
    if notes:
        contact["notes"] = "\n".join(notes)
    if full_name and not contact.get("first_name") and not contact.get("last_name"):
        contact["first_name"], contact["last_name"] = split_full_name(full_name)
        columns["first_name"] = columns["last_name"] = columns["full_name"]
    return data


def split_full_name(text: str) -> tuple[str, str]:
    """ "Claire Dubois" -> ("Claire", "Dubois"); "DUBOIS Claire" and "Dubois,
    Claire" -> ("Claire", "DUBOIS"/"Dubois"); "Anne de La Tour" keeps the
    particle with the last name."""
    text = " ".join(text.split())
    if "," in text:
        last, _sep, first = text.partition(",")
        return first.strip(), last.strip()
    words = text.split(" ")
    if len(words) == 1:
        return "", text
    upper = [w for w in words if len(w) > 1 and w.isupper() and any(ch.isalpha() for ch in w)]
    if upper and len(upper) < len(words):
        return (
            " ".join(w for w in words if w not in upper),
            " ".join(w for w in words if w in upper),
        )
    for i in range(1, len(words) - 1):
        if words[i].lower().rstrip("'’") in _PARTICLES and words[i][0].islower():
            return " ".join(words[:i]), " ".join(words[i:])
    return " ".join(words[:-1]), words[-1]

"""Recognising columns: French and English headers as press officers, Excel,
Thunderbird, Outlook, Gmail and our own export write them.

Headers are compared folded (no accents, no case, punctuation as spaces), so
"Prénom", "PRENOM" and "prénom :" are one header. Numbered repeats ("E-mail
2", "Téléphone (3)") map like the first one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from relance.lib.text import fold

# target -> headers, as typed. Phone and e-mail headers may carry the label
# given to the number ("Portable" -> mobile) after a "|".
_ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": (
        "prénom",
        "prenom(s)",
        "first name",
        "firstname",
        "given name",
        "forename",
        "N (given)",
        "first",
    ),
    "last_name": (
        "nom",
        "nom de famille",
        "last name",
        "lastname",
        "surname",
        "family name",
        "N (family)",
        "last",
    ),
    "full_name": (
        "nom complet",
        "nom et prénom",
        "prénom et nom",
        "prénom nom",
        "nom prénom",
        "display name",
        "full name",
        "name",
        "contact",
        "nom du contact",
        "contact name",
        "FN",
        "journaliste",
        "interlocuteur",
    ),
    "role": ("rôle", "role", "type de contact", "contact type", "profil", "X-RELANCE-ROLE"),
    "title": (
        "fonction",
        "poste",
        "titre du poste",
        "intitulé du poste",
        "job title",
        "title",
        "position",
        "TITLE",
        "job",
    ),
    "emails": (
        "courriel",
        "e-mail",
        "email",
        "mail",
        "mél",
        "adresse e-mail",
        "adresse mail",
        "adresse électronique",
        "adresse courriel",
        "e-mail address",
        "email address",
        "primary email",
        "secondary email",
        "e-mail principal",
        "autres e-mails",
        "other emails",
        "EMAIL",
        "courriel professionnel|work",
        "e-mail pro|work",
        "e-mail professionnel|work",
        "work email|work",
        "e-mail personnel|home",
        "home email|home",
        "personal email|home",
    ),
    "phones": (
        "téléphone",
        "tél",
        "tel",
        "phone",
        "téléphone fixe",
        "ligne directe",
        "téléphone principal",
        "autres téléphones",
        "other phones",
        "phone number",
        "numéro de téléphone",
        "TEL",
        "portable|mobile",
        "mobile|mobile",
        "cellulaire|mobile",
        "cell|mobile",
        "gsm|mobile",
        "téléphone portable|mobile",
        "tél portable|mobile",
        "mobile number|mobile",
        "mobile phone|mobile",
        "cell phone|mobile",
        "téléphone mobile|mobile",
        "work phone|work",
        "business phone|work",
        "téléphone bureau|work",
        "tél bureau|work",
        "téléphone professionnel|work",
        "home phone|home",
        "téléphone domicile|home",
    ),
    "beats": (
        "rubrique",
        "rubriques",
        "thématique",
        "thématiques",
        "thème",
        "thèmes",
        "beat",
        "beats",
        "beat(s)",
        "sujets",
        "centres d'intérêt",
        "topics",
        "CATEGORIES",
        "secteur",
        "secteurs",
    ),
    "language": ("langue", "language", "lang", "X-RELANCE-LANGUAGE"),
    "social.x": (
        "twitter",
        "x",
        "compte x",
        "twitter x",
        "x twitter",
        "X-SOCIALPROFILE (x)",
        "X-SOCIALPROFILE (twitter)",
    ),
    "social.linkedin": ("linkedin", "X-SOCIALPROFILE (linkedin)"),
    "social.instagram": ("instagram", "X-SOCIALPROFILE (instagram)"),
    "social.bluesky": ("bluesky", "X-SOCIALPROFILE (bluesky)"),
    "social.mastodon": ("mastodon", "X-SOCIALPROFILE (mastodon)"),
    "social.facebook": ("facebook", "X-SOCIALPROFILE (facebook)"),
    "social.threads": ("threads", "X-SOCIALPROFILE (threads)"),
    "social.tiktok": ("tiktok", "X-SOCIALPROFILE (tiktok)"),
    "social.youtube": ("youtube", "X-SOCIALPROFILE (youtube)"),
    "accepts_phone": (
        "accepte le téléphone",
        "accepte les appels",
        "appels acceptés",
        "accepts phone",
        "accepts phone calls",
        "accepts calls",
        "ok téléphone",
        "X-RELANCE-ACCEPTS-PHONE",
    ),
    "preferred_channel": (
        "canal préféré",
        "canal",
        "preferred channel",
        "channel",
        "X-RELANCE-PREFERRED-CHANNEL",
    ),
    "best_hours": (
        "meilleurs horaires",
        "horaires",
        "heures d'appel",
        "best hours",
        "best time to call",
        "X-RELANCE-BEST-HOURS",
    ),
    "paused_until": (
        "en pause jusqu'au",
        "pause jusqu'au",
        "pas de relance jusqu'au",
        "paused until",
        "X-RELANCE-PAUSED-UNTIL",
    ),
    "opted_out": (
        "opt-out",
        "optout",
        "opted out",
        "désinscrit",
        "désabonné",
        "unsubscribed",
        "X-RELANCE-OPTED-OUT",
    ),
    "opted_out_source": ("opted out by", "désinscrit par", "X-RELANCE-OPTED-OUT-BY"),
    "do_not_contact": (
        "ne pas contacter",
        "ne plus contacter",
        "do not contact",
        "dnc",
        "X-RELANCE-DO-NOT-CONTACT",
    ),
    "vip": ("vip", "X-RELANCE-VIP"),
    "notes": (
        "notes",
        "note",
        "commentaire",
        "commentaires",
        "remarques",
        "observations",
        "comments",
        "NOTE",
    ),
    "legal_basis": ("base légale", "fondement", "legal basis", "X-RELANCE-LEGAL-BASIS"),
    "source": ("source", "origine", "provenance", "X-RELANCE-SOURCE"),
    "outlet_name": (
        "média",
        "media",
        "titre",
        "support",
        "outlet",
        "publication",
        "rédaction",
        "journal",
        "titre de presse",
        "nom du média",
        "organisation",
        "organization",
        "company",
        "société",
        "entreprise",
        "employeur",
        "employer",
        "ORG",
        "médias",
    ),
    "outlet_kind": (
        "type de média",
        "type média",
        "type de support",
        "outlet kind",
        "outlet type",
        "media type",
        "type",
        "X-RELANCE-OUTLET-KIND",
    ),
    "outlet_periodicity": (
        "périodicité",
        "fréquence",
        "parution",
        "periodicity",
        "frequency",
        "X-RELANCE-OUTLET-PERIODICITY",
    ),
    "outlet_country": ("pays", "country", "X-RELANCE-OUTLET-COUNTRY"),
    "outlet_region": ("région", "province", "region", "X-RELANCE-OUTLET-REGION"),
    "outlet_city": ("ville", "city", "localité", "commune", "work city", "X-RELANCE-OUTLET-CITY"),
    "outlet_website": (
        "site web",
        "site internet",
        "site",
        "website",
        "web",
        "X-RELANCE-OUTLET-WEBSITE",
    ),
    # Columns whose name is close to a known one but that must not be read
    # as it: a fax is not a phone to call, Thunderbird's nickname not a name.
    "ignore": (
        "fax",
        "fax number",
        "télécopie",
        "pager number",
        "nickname",
        "surnom",
        "NICKNAME",
        "TEL (fax, pager)",
        "screen name",
        "ROLE",
        "URL",
        "web page 1",
        "web page 2",
        "birth year",
        "birth month",
        "birth day",
        "custom 1",
        "custom 2",
        "custom 3",
        "custom 4",
        "department",
        "service",
        "home address",
        "home address 2",
        "home city",
        "home state",
        "home zipcode",
        "home country",
        "work address",
        "work address 2",
        "work state",
        "work zipcode",
        "work country",
        "id",
        "X-RELANCE-ID",
    ),
}

# Thunderbird writes its address books without a header in this order; its
# own importer assumes it, and so do we when a file has no header row.
THUNDERBIRD_ORDER = ("first_name", "last_name", "full_name", "ignore", "emails", "emails")

_NUMBERED = re.compile(r"^(.*?)\s*\d+$")
_PUNCT = re.compile(r"[^\w]+")


def header_key(header: str) -> str:
    """ "Prénom :" -> "prenom"; "E-mail (2)" -> "e mail 2"."""
    return " ".join(_PUNCT.sub(" ", fold(header)).replace("_", " ").split())


@lru_cache(maxsize=1)
def alias_table() -> dict[str, tuple[str, str]]:
    """folded header -> (target, label)."""
    from relance.contacts.exporting import export_header_aliases

    table: dict[str, tuple[str, str]] = {}
    for target, names in _ALIASES.items():
        for name in names:
            header, _sep, label = name.partition("|")
            table.setdefault(header_key(header), (target, label))
    # Our export's column names, in every language of the interface, so an
    # export always re-imports whatever language it was made in.
    for header, target in export_header_aliases():
        table.setdefault(header_key(header), (target, ""))
    return table


def recognise(header: str) -> tuple[str, str] | None:
    """(target, label) for a header, or None when it is not known."""
    table = alias_table()
    key = header_key(header)
    if key in table:
        return table[key]
    numbered = _NUMBERED.match(key)
    if numbered and numbered.group(1) in table:
        return table[numbered.group(1)]
    words = set(key.split())
    if words & {"fax", "telecopie", "pager"}:
        return ("ignore", "")
    if words & {"mail", "email", "courriel", "mel"} or "e mail" in key:
        return ("emails", "")
    if words & {"portable", "mobile", "cellulaire", "gsm"}:
        return ("phones", "mobile")
    if words & {"tel", "telephone", "phone"}:
        return ("phones", "")
    return None

"""Auto-replies (out-of-office, vacation) and the return date they give.

A journalist's out-of-office pauses follow-ups until they are back, so the
date matters as much as the detection. French and English phrasings are
read; numeric dates are read day first (France, Quebec's French usage,
the UK), and month first only when day first is impossible (13/04 is
obvious; 04/03 is taken as the 4th of March).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from email.message import Message

from relance.outreach.mail.headers import header

_SUBJECT = re.compile(
    r"out of (?:the )?office|\bo\.?o\.?o\b|absen(?:t|ce|te)|auto(?:matic|matische|matique)?[- ]?"
    r"(?:reply|response|answer|antwort|réponse)|réponse automatique|r[ée]ponse auto\b"
    r"|abwesenheit|vacation|vacances|congés?|on leave|away from (?:the office|my desk)"
    r"|hors du bureau|autoreply|autoresponder|risposta automatica|respuesta automática"
    r"|fuera de la oficina|message automatique",
    re.IGNORECASE,
)

_HUMAN_PREFIX = re.compile(r"(?:re|tr|fwd?|aw|wg|réf|ref)\s*:", re.IGNORECASE)

MONTHS = {
    # French
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "fév": 2,
    "mars": 3, "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7,
    "août": 8, "aout": 8, "septembre": 9, "sept": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12, "déc": 12,
    # English
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_WEEKDAY = (
    r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun)\.?,?"
)
# The phrase that introduces the return (or the last absent) day. "Absent
# du 3 au 14 mars" names the last day away, hence `last` below.
_BACK = (
    r"(?P<back>de retour|retour (?:prévu )?(?:le|au bureau le)|je reviens|je serai (?:de retour|là|"
    r"présente?)|back (?:in (?:the )?office )?(?:on|from)?|return(?:ing)? (?:to (?:the )?office )?"
    r"(?:on)?|returns? on|i will be back|reachable again|available again|à partir du|dès le"
    r"|from)"
    r"|(?P<last>jusqu'?au|jusqu'à|jusqu’au|until|till|through|au|to)"
)
_DAY_MONTH = (
    rf"(?P<day>\d{{1,2}})(?:er|st|nd|rd|th)?\.?\s+(?P<month>{_MONTH})\.?(?:\s+(?P<year>\d{{4}}))?"
)
_MONTH_DAY = (
    rf"(?P<month2>{_MONTH})\.?\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year2>\d{{4}}))?"
)
_NUMERIC = r"(?P<n1>\d{1,2})[/.-](?P<n2>\d{1,2})(?:[/.-](?P<n3>\d{2,4}))?\b"
_ISO = r"(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
_DATE = re.compile(
    rf"(?:{_BACK})\s*(?:(?:le|on|the)\s+)?(?:{_WEEKDAY}\s*)?(?:the\s+)?"
    rf"(?:{_ISO}|{_DAY_MONTH}|{_MONTH_DAY}|{_NUMERIC})",
    re.IGNORECASE,
)


def is_auto_reply(msg: Message, subject: str) -> bool:
    auto_submitted = header(msg, "Auto-Submitted").strip().lower()
    # RFC 3834: "auto-replied" is a responder; "auto-generated" is also used
    # by bounces and notifications, which are checked before this.
    if auto_submitted.startswith("auto-replied"):
        return True
    if header(msg, "X-Autoreply") or header(msg, "X-Autorespond"):
        return True
    if header(msg, "Precedence").strip().lower() == "auto_reply":
        return True
    return auto_subject(subject)


def auto_subject(subject: str) -> bool:
    """Out-of-office subject: the responder puts its words first ("Automatic
    reply: …", "Absence du bureau : …"); a human answer starts with "Re:"
    and may well mention holidays further on."""
    head = subject.strip()
    if _HUMAN_PREFIX.match(head):
        return False
    return bool(_SUBJECT.search(head[:40])) or head.upper().startswith("AUTO:")


def return_date(text: str, sent: date) -> date | None:
    """The first day the person is back, from the auto-reply's text.

    `sent` is the auto-reply's date: a day without a year is the next such
    day after it, since nobody announces a return in the past."""
    for match in _DATE.finditer(text[:5000]):
        found = _to_date(match, sent)
        if found is None:
            continue
        if match.group("last"):
            found += timedelta(days=1)
        if found >= sent and found <= sent + timedelta(days=400):
            return found
    return None


def _to_date(match: re.Match[str], sent: date) -> date | None:
    g = match.group
    year: int | None
    if g("iy"):
        year, month, day = int(g("iy")), int(g("im")), int(g("id"))
    elif g("day"):
        day, month, year = int(g("day")), MONTHS[g("month").lower()], _year(g("year"))
    elif g("day2"):
        day, month, year = int(g("day2")), MONTHS[g("month2").lower()], _year(g("year2"))
    else:
        first, second, year = int(g("n1")), int(g("n2")), _year(g("n3"))
        day, month = (first, second) if second <= 12 else (second, first)
    if year is not None:
        return _safe_date(year, month, day)
    candidate = _safe_date(sent.year, month, day)
    if candidate is not None and candidate < sent:
        candidate = _safe_date(sent.year + 1, month, day)
    return candidate


def _year(value: str | None) -> int | None:
    if not value:
        return None
    year = int(value)
    return year + 2000 if year < 100 else year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None

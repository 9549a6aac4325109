"""A contact's history: one list of dated events from every source.

Each source is a provider, `provider(contact) -> Iterable[Event]`; the
timeline merges them newest first. For now the only source is the audit trail
(creation, edits, opt-outs, relationships, GDPR requests). Later capabilities
add theirs (sends, opens, replies, calls, coverage) without touching this
module: decorate a function with `@timeline.provider` in a module imported by
the app's `AppConfig.ready()`.

Providers must load what they need in a few queries for one contact; the
contact page calls every provider on each view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from relance.audit import services as audit
from relance.contacts.models import Contact


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # a short code: "create", "update", "opt_out", later "sent", "call"…
    summary: str  # one line, in the user's language
    actor: str = ""  # who did it, as shown to the team ("" for nobody in particular)
    details: tuple[str, ...] = field(default=())
    url: str = ""  # where to read more, if anywhere


Provider = Callable[[Contact], Iterable[Event]]
PROVIDERS: list[Provider] = []


def provider(func: Provider) -> Provider:
    """Register a source of events (idempotent: re-imports do not duplicate)."""
    if func not in PROVIDERS:
        PROVIDERS.append(func)
    return func


def timeline(contact: Contact, *, limit: int = 200) -> list[Event]:
    events = [event for source in PROVIDERS for event in source(contact)]
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]


# --- The audit trail --------------------------------------------------------

# Names of the fields an edit may change, as the contact form labels them.
_EXTRA_LABELS = {
    "emails": lambda: _("e-mail addresses"),
    "phones": lambda: _("phone numbers"),
    "outlet_id": lambda: _("outlet"),
    "show_id": lambda: _("show"),
}


def _field_label(name: str) -> str:
    if name in _EXTRA_LABELS:
        return str(_EXTRA_LABELS[name]())
    try:
        return str(Contact._meta.get_field(name).verbose_name)
    except Exception:  # an old entry naming a field that no longer exists
        return name


def _short(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _audit_summary(action: str, changes: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    if action == "create":
        source = changes.get("source")
        if source:
            return _("Added to the media database (source: %(source)s)") % {"source": source}, ()
        return _("Added to the media database"), ()
    if action == "update":
        names = [_field_label(k) for k in changes]
        details = tuple(
            f"{capfirst(_field_label(k))}: {_short(v[0])} → {_short(v[1])}"
            for k, v in changes.items()
            if isinstance(v, list) and len(v) == 2
        )
        if not names:
            return _("Edited"), ()
        return _("Edited: %(fields)s") % {"fields": ", ".join(names)}, details
    if action == "opt_out":
        if changes.get("by") == "journalist":
            return _("Opted out at their own request"), ()
        return _("Opted out by the agency"), ()
    if action == "pause":
        until = (changes.get("paused_until") or [None, None])[-1] or "?"
        if changes.get("by") == "auto_reply":
            return _("Paused until %(date)s (automatic reply)") % {"date": until}, ()
        return _("Paused until %(date)s") % {"date": until}, ()
    if action == "opt_in":
        return _("Opted back in"), ()
    if action == "relationship_set":
        data = {"user": changes.get("user", "?"), "strength": changes.get("strength", "?")}
        if changes.get("created"):
            return _("%(user)s now knows them (strength %(strength)s/3)") % data, ()
        return _("%(user)s's relationship set to strength %(strength)s/3") % data, ()
    if action == "relationship_removed":
        return _("%(user)s no longer listed as knowing them") % {
            "user": changes.get("user", "?")
        }, ()
    if action == "personal_data_export":
        return _("Personal data exported (access request)"), ()
    if action == "erase":
        return _("Personal data erased"), ()
    return action.replace("_", " ").capitalize(), ()


@provider
def audit_events(contact: Contact) -> Iterable[Event]:
    entries = audit.history("contact", [contact.pk]).select_related("actor")[:200]
    for entry in entries:
        summary, details = _audit_summary(entry.action, entry.changes or {})
        if entry.actor is not None:
            actor = entry.actor.get_full_name() or entry.actor.username
        elif entry.actor_label == "system":
            actor = (
                _("the journalist")
                if (entry.changes or {}).get("by") == "journalist"
                else _("Relance")
            )
        else:
            actor = entry.actor_label
        yield Event(at=entry.at, kind=entry.action, summary=summary, actor=actor, details=details)

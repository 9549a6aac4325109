"""A journalist's own choices, made through the link in every campaign
message (no account: the signed link is the authority).

Journalists' choices win: what they set here is recorded as theirs (with its
date, in the audit trail, "by journalist"), an opt-out made here can never
be undone by the agency, and every plan and send reads these fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.accounts.models import Language, User
from relance.audit import services as audit
from relance.contacts.models import Beat, Contact, ContactBeat
from relance.contacts.services.contacts import apply_opt_out, reindex_ids

# A pause longer than this is an opt-out in disguise: ask for that instead.
LONGEST_PAUSE = timedelta(days=366)


@dataclass
class OwnPreferences:
    opted_out: bool = False
    accepts_phone: bool = True
    paused_until: date | None = None
    language: str = "fr"
    beats: list[int] = field(default_factory=list)  # Beat ids


def current(contact: Contact) -> OwnPreferences:
    return OwnPreferences(
        opted_out=contact.opted_out,
        accepts_phone=contact.accepts_phone,
        paused_until=contact.paused_until,
        language=contact.language,
        beats=list(contact.beats.values_list("pk", flat=True)),
    )


def clean(prefs: OwnPreferences, today: date) -> OwnPreferences:
    errors: dict[str, list[str]] = {}
    if prefs.paused_until is not None:
        if prefs.paused_until < today:
            errors["paused_until"] = [_("Choose a date from today on.")]
        elif prefs.paused_until > today + LONGEST_PAUSE:
            errors["paused_until"] = [
                _("Pauses last a year at most; to receive nothing, unsubscribe.")
            ]
    if prefs.language not in Language.values:
        errors["language"] = [_("Choose French or English.")]
    known = set(Beat.objects.filter(pk__in=prefs.beats).values_list("pk", flat=True))
    if set(prefs.beats) - known:
        errors["beats"] = [_("Choose beats from the list.")]
    if errors:
        raise ValidationError(errors)
    return prefs


@transaction.atomic
def save_own_preferences(contact: Contact, prefs: OwnPreferences) -> Contact:
    """Apply a journalist's choices to their contact record."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.erased_at is not None:
        raise ValidationError(_("This contact no longer exists."))
    prefs = clean(prefs, timezone.localdate())
    before = current(contact)
    changes: dict[str, list[object]] = {}
    if prefs.opted_out != before.opted_out:
        apply_opt_out(contact, prefs.opted_out, by_journalist=True)
        changes["opted_out"] = [before.opted_out, contact.opted_out]
    for name in ("accepts_phone", "paused_until", "language"):
        old, new = getattr(before, name), getattr(prefs, name)
        if old != new:
            setattr(contact, name, new)
            changes[name] = [str(old) if old is not None else None, str(new) if new else None]
    if not changes and sorted(before.beats) == sorted(prefs.beats):
        return contact
    contact.save()
    if sorted(before.beats) != sorted(prefs.beats):
        ContactBeat.objects.filter(contact=contact).delete()
        ContactBeat.objects.bulk_create(
            ContactBeat(contact=contact, beat_id=b) for b in prefs.beats
        )
        names = dict(
            Beat.objects.filter(pk__in=before.beats + prefs.beats).values_list("pk", "name")
        )
        changes["beats"] = [
            sorted(names[b] for b in before.beats),
            sorted(names[b] for b in prefs.beats),
        ]
    reindex_ids([contact.pk])
    audit.record(None, "preferences", contact, changes={"by": "journalist", **changes})
    return contact


@transaction.atomic
def refuse_calls(actor: User | None, contact: Contact) -> bool:
    """The journalist told a caller "stop calling me": no more calls from
    anyone in the agency, for every campaign and client (DESIGN.md §5.9).
    Recorded as the journalist's own choice, reported by `actor`. Returns
    whether anything changed."""
    updated = Contact.objects.filter(pk=contact.pk, accepts_phone=True).update(
        accepts_phone=False, updated_at=timezone.now()
    )
    if updated:
        contact.accepts_phone = False
        audit.record(
            actor,
            "preferences",
            contact,
            changes={"by": "journalist", "accepts_phone": ["True", "False"], "said_to": "call"},
        )
    return bool(updated)

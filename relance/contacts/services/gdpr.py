"""Personal data done right: everything about one person, and erasure.

Erasure removes what identifies the person and keeps the row, empty, so the
agency's statistics (how many journalists were pitched, what an outlet
covered) keep their counts without keeping the person.
"""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from relance.accounts.models import User
from relance.accounts.permissions import Cap, require
from relance.audit import services as audit
from relance.audit.models import AuditEntry
from relance.contacts import signals
from relance.contacts.models import (
    Contact,
    ContactBeat,
    MediaListMember,
    Relationship,
    SuppressedAddress,
)


def export_person(actor: User | None, contact: Contact) -> dict[str, Any]:
    """Everything Relance holds about one person (GDPR art. 15), as JSON data."""
    require(actor, Cap.EXPORT_CONTACTS)
    c = Contact.objects.select_related("outlet", "show").get(pk=contact.pk)
    data: dict[str, Any] = {
        "generated_at": timezone.now().isoformat(),
        "contact": {
            "id": c.pk,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "role": c.role,
            "title": c.title,
            "outlet": c.outlet.name if c.outlet else None,
            "show": c.show.name if c.show else None,
            "language": c.language,
            "beats": sorted(b.name for b in c.beats.all()),
            "social": c.social,
            "accepts_phone": c.accepts_phone,
            "preferred_channel": c.preferred_channel,
            "best_hours": c.best_hours,
            "paused_until": c.paused_until.isoformat() if c.paused_until else None,
            "opted_out": c.opted_out,
            "opted_out_at": c.opted_out_at.isoformat() if c.opted_out_at else None,
            "opted_out_by": {"self": "journalist", "agency": "agency"}.get(c.opted_out_source),
            "do_not_contact": c.do_not_contact,
            "vip": c.vip,
            "notes": c.notes,
            "legal_basis": c.legal_basis,
            "source": c.source,
            "created_at": c.created_at.isoformat(),
            "updated_at": c.updated_at.isoformat(),
        },
        "emails": [
            {"address": e.address, "label": e.label, "primary": e.is_primary, "status": e.status}
            for e in c.emails.all()
        ],
        "phones": [
            {"number": p.number, "label": p.label, "primary": p.is_primary} for p in c.phones.all()
        ],
        "relationships": [
            {"team_member": r.user.username, "strength": r.strength, "notes": r.notes}
            for r in c.relationships.select_related("user")
        ],
        "lists": sorted(c.lists.values_list("name", flat=True)),
        "history": [
            {
                "at": e.at.isoformat(),
                "by": e.actor_label,
                "action": e.action,
                "changes": e.changes,
            }
            for e in audit.history("contact", [c.pk])
        ],
    }
    for _receiver, sections in signals.personal_data_requested.send(sender=Contact, contact=c):
        data.update(cast(dict[str, Any], sections or {}))
    audit.record(actor, "personal_data_export", c)
    return data


@transaction.atomic
def erase_person(actor: User | None, contact: Contact) -> Contact:
    """Erase a person's data (GDPR art. 17). Irreversible."""
    require(actor, Cap.ERASE_PERSONAL_DATA)
    c = Contact.objects.select_for_update().get(pk=contact.pk)
    if c.erased_at:
        return c
    # Remember the addresses (hashed) so a later import cannot bring the
    # person back without anyone noticing.
    SuppressedAddress.objects.bulk_create(
        [
            SuppressedAddress(digest=SuppressedAddress.digest_of(a))
            for a in c.emails.values_list("address", flat=True)
        ],
        ignore_conflicts=True,
    )
    c.emails.all().delete()
    c.phones.all().delete()
    Relationship.objects.filter(contact=c).delete()
    MediaListMember.objects.filter(contact=c).delete()
    ContactBeat.objects.filter(contact=c).delete()
    c.first_name = ""
    c.last_name = f"#{c.pk}"
    c.title = ""
    c.show = None
    c.social = {}
    c.best_hours = ""
    c.notes = ""
    c.source = ""
    c.vip = False
    c.do_not_contact = True
    c.accepts_phone = False
    c.name_key = ""
    c.search_document = ""
    c.erased_at = timezone.now()
    c.save()
    # The trail keeps who did what, but no longer what the person's data was.
    AuditEntry.objects.filter(target_type="contact", target_id=c.pk).update(
        target_label=f"#{c.pk}", changes={}
    )
    signals.person_erased.send(sender=Contact, contact_id=c.pk)
    audit.record(actor, "erase", c, target_label=f"#{c.pk}")
    return c


def is_suppressed(address: str) -> bool:
    return SuppressedAddress.objects.filter(digest=SuppressedAddress.digest_of(address)).exists()

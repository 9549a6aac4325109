"""Creating, editing and deleting contacts, their e-mails, phones, beats and
the team's relationships with them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.accounts.models import User
from relance.accounts.permissions import Cap, require
from relance.audit import services as audit
from relance.contacts.documents import ContactFacts, contact_document, contact_name_key
from relance.contacts.models import (
    Contact,
    ContactBeat,
    ContactEmail,
    ContactPhone,
    Outlet,
    Relationship,
    Show,
    SuppressedAddress,
)
from relance.contacts.services.beats import beats_for
from relance.contacts.validation import EmailValue, PhoneValue, clean_contact

# Plain columns copied from cleaned data onto the Contact row.
SCALAR_FIELDS = (
    "first_name",
    "last_name",
    "role",
    "title",
    "outlet_id",
    "show_id",
    "language",
    "social",
    "accepts_phone",
    "preferred_channel",
    "best_hours",
    "paused_until",
    "do_not_contact",
    "vip",
    "notes",
    "legal_basis",
    "source",
)


def region_for(outlet_id: int | None, default: str = "FR") -> str:
    """Numbers typed without a prefix are read in the outlet's country."""
    if outlet_id:
        country = Outlet.objects.filter(pk=outlet_id).values_list("country", flat=True).first()
        if country:
            return country
    return default


def _resolve_outlet_and_show(values: dict[str, Any], contact: Contact | None) -> None:
    """Check the outlet and show exist and agree; a show implies its outlet."""
    errors: dict[str, list[str]] = {}
    outlet_id = values.get("outlet_id", contact.outlet_id if contact else None)
    show_id = values.get("show_id", contact.show_id if contact else None)
    if "outlet_id" in values and outlet_id and not Outlet.objects.filter(pk=outlet_id).exists():
        errors["outlet_id"] = [_("This outlet does not exist.")]
    if show_id:
        show = Show.objects.filter(pk=show_id).only("outlet_id").first()
        if show is None:
            errors["show_id"] = [_("This show does not exist.")]
        elif outlet_id and show.outlet_id != outlet_id:
            if "show_id" in values:
                errors["show_id"] = [_("This show belongs to another outlet.")]
            else:
                values["show_id"] = None  # moved to another outlet: the old show no longer applies
        elif not outlet_id:
            values["outlet_id"] = show.outlet_id
    if errors:
        raise ValidationError(errors)


def _snapshot(contact: Contact) -> dict[str, Any]:
    data = {name: getattr(contact, name) for name in SCALAR_FIELDS}
    data["opted_out"] = contact.opted_out
    data["beats"] = sorted(b.name for b in contact.beats.all())
    data["emails"] = [e.address for e in contact.emails.all()]
    data["phones"] = [p.number for p in contact.phones.all()]
    return data


@transaction.atomic
def create_contact(actor: User | None, data: Mapping[str, Any], *, check: bool = True) -> Contact:
    """Create a contact from raw field values (see validation.CONTACT_DEFAULTS).

    Raises ValidationError with every field problem; writes nothing then.
    """
    if check:
        require(actor, Cap.EDIT_MEDIA)
    region = region_for(_as_id(data.get("outlet_id")))
    values = clean_contact(data, region=region)
    _resolve_outlet_and_show(values, None)
    _refuse_erased_addresses(values["emails"])
    contact = Contact(created_by=actor if getattr(actor, "pk", None) else None)
    for name in SCALAR_FIELDS:
        setattr(contact, name, values[name])
    if values["opted_out"]:
        contact.opted_out = True
        contact.opted_out_at = timezone.now()
        contact.opted_out_source = "agency"
    contact.save()
    _set_children(contact, values)
    reindex(contact)
    audit.record(actor, "create", contact, changes={"source": contact.source})
    return contact


@transaction.atomic
def update_contact(actor: User | None, contact: Contact, data: Mapping[str, Any]) -> Contact:
    """Apply the fields present in `data` (a partial update)."""
    require(actor, Cap.EDIT_MEDIA)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.erased_at:
        raise ValidationError(_("This contact was erased and cannot be edited."))
    outlet_id = _as_id(data["outlet_id"]) if "outlet_id" in data else contact.outlet_id
    values = clean_contact(
        data,
        region=region_for(outlet_id),
        partial=True,
        # A new primary `email`/`phone` alone keeps the contact's other ones.
        current_emails=[{"address": e.address, "label": e.label} for e in contact.emails.all()],
        current_phones=[{"number": p.number, "label": p.label} for p in contact.phones.all()],
    )
    _resolve_outlet_and_show(values, contact)
    if "emails" in values:
        _refuse_erased_addresses(values["emails"])
    before = _snapshot(contact)
    for name in SCALAR_FIELDS:
        if name in values:
            setattr(contact, name, values[name])
    if "opted_out" in values:
        apply_opt_out(contact, values["opted_out"], by_journalist=False)
    contact.save()
    _set_children(contact, values)
    reindex(contact)
    changes = audit.diff(before, _snapshot(contact))
    if changes:
        audit.record(actor, "update", contact, changes=changes)
    return contact


def _refuse_erased_addresses(emails: Iterable[EmailValue]) -> None:
    digests = {SuppressedAddress.digest_of(e.address): e.address for e in emails}
    found = SuppressedAddress.objects.filter(digest__in=list(digests)).values_list(
        "digest", flat=True
    )
    if found:
        raise ValidationError(
            {
                "emails": [
                    _("%(address)s belongs to a person whose data was erased at their request.")
                    % {"address": digests[d]}
                    for d in found
                ]
            }
        )


def apply_opt_out(contact: Contact, opted_out: bool, *, by_journalist: bool) -> None:
    if opted_out and not contact.opted_out:
        contact.opted_out = True
        contact.opted_out_at = timezone.now()
        contact.opted_out_source = "self" if by_journalist else "agency"
    elif not opted_out and contact.opted_out:
        # The journalist's own "no" can only be lifted by the journalist.
        if contact.opted_out_source == "self" and not by_journalist:
            raise ValidationError(
                {
                    "opted_out": [
                        _(
                            "This journalist unsubscribed themselves; only they can"
                            " subscribe again, from their preference page."
                        )
                    ]
                }
            )
        contact.opted_out = False
        contact.opted_out_at = None
        contact.opted_out_source = ""


def set_opt_out(
    actor: User | None, contact: Contact, opted_out: bool, *, by_journalist: bool = False
) -> Contact:
    """Opt a contact out (or back in). `by_journalist` marks the journalist's own
    request (unsubscribe link, a call): the agency can then never undo it."""
    if not by_journalist:
        require(actor, Cap.EDIT_MEDIA)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        was = contact.opted_out
        apply_opt_out(contact, opted_out, by_journalist=by_journalist)
        contact.save(update_fields=["opted_out", "opted_out_at", "opted_out_source", "updated_at"])
        reindex_ids([contact.pk])
        if was != contact.opted_out:
            audit.record(
                actor,
                "opt_out" if opted_out else "opt_in",
                contact,
                changes={"by": "journalist" if by_journalist else "agency"},
            )
    return contact


def _set_children(contact: Contact, values: Mapping[str, Any]) -> None:
    if "beats" in values:
        ContactBeat.objects.filter(contact=contact).delete()
        ContactBeat.objects.bulk_create(
            [ContactBeat(contact=contact, beat=b) for b in beats_for(values["beats"])]
        )
    if "emails" in values:
        _replace_emails(contact, values["emails"])
    if "phones" in values:
        ContactPhone.objects.filter(contact=contact).delete()
        ContactPhone.objects.bulk_create(
            [
                ContactPhone(
                    contact=contact, number=p.number, label=p.label, is_primary=p.is_primary
                )
                for p in values["phones"]
            ]
        )


def _replace_emails(contact: Contact, emails: Iterable[EmailValue]) -> None:
    # A bounce recorded on an address must survive an edit of the contact:
    # keep the status of addresses that stay.
    status = {e.address.lower(): e.status for e in ContactEmail.objects.filter(contact=contact)}
    ContactEmail.objects.filter(contact=contact).delete()
    ContactEmail.objects.bulk_create(
        [
            ContactEmail(
                contact=contact,
                address=e.address,
                label=e.label,
                is_primary=e.is_primary,
                status=status.get(e.address.lower(), "valid"),
            )
            for e in emails
        ]
    )


def reindex(contact: Contact) -> None:
    """Recompute the derived search columns of one contact."""
    reindex_ids([contact.pk])
    contact.refresh_from_db(fields=["search_document", "name_key"])


def reindex_ids(ids: Iterable[int]) -> int:
    """Recompute `search_document` and `name_key` for these contacts in a few
    queries (after an outlet, a show, a beat or a relationship changed)."""
    ids = list(ids)
    count = 0
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        contacts = list(
            Contact.objects.filter(pk__in=chunk, erased_at__isnull=True)
            .select_related("outlet", "show")
            .prefetch_related(
                "beats",
                "emails",
                Prefetch(
                    "relationships",
                    queryset=Relationship.objects.filter(strength__gte=1).only(
                        "contact_id", "user_id"
                    ),
                ),
            )
        )
        for c in contacts:
            c.search_document = contact_document(facts_of(c))
            c.name_key = contact_name_key(c.first_name, c.last_name)
        Contact.objects.bulk_update(contacts, ["search_document", "name_key"])
        count += len(contacts)
    return count


def facts_of(c: Contact) -> ContactFacts:
    """The indexable facts of a contact loaded with its outlet, show, beats,
    e-mails and relationships."""
    o = c.outlet
    return ContactFacts(
        first_name=c.first_name,
        last_name=c.last_name,
        title=c.title,
        notes=c.notes,
        role=c.role,
        language=c.language,
        vip=c.vip,
        opted_out=c.opted_out,
        do_not_contact=c.do_not_contact,
        emails=[e.address for e in c.emails.all()],
        beats=[b.name for b in c.beats.all()],
        show_name=c.show.name if c.show else None,
        outlet_id=o.pk if o else None,
        outlet_name=o.name if o else None,
        outlet_kind=o.kind if o else "",
        outlet_periodicity=o.periodicity if o else "",
        outlet_country=o.country if o else "",
        outlet_region=o.region if o else "",
        owner_ids=[r.user_id for r in c.relationships.all()],
    )


@transaction.atomic
def delete_contact(actor: User | None, contact: Contact) -> None:
    require(actor, Cap.DELETE_MEDIA)
    audit.record(actor, "delete", contact)
    contact.delete()


@transaction.atomic
def set_relationship(
    actor: User | None, contact: Contact, user: User, strength: int, notes: str = ""
) -> Relationship:
    require(actor, Cap.EDIT_MEDIA)
    errors: dict[str, list[str]] = {}
    if not isinstance(strength, int) or isinstance(strength, bool) or not 0 <= strength <= 3:
        errors["strength"] = [_("Strength goes from 0 (met once) to 3 (long-standing).")]
    if user.role == "client_viewer" or not user.is_active:
        errors["user"] = [_("Only active team members can know a contact.")]
    if errors:
        raise ValidationError(errors)
    rel, created = Relationship.objects.update_or_create(
        contact=contact, user=user, defaults={"strength": strength, "notes": (notes or "").strip()}
    )
    reindex_ids([contact.pk])  # the "known by" filter reads the index
    audit.record(
        actor,
        "relationship_set",
        contact,
        changes={"user": user.username, "strength": strength, "created": created},
    )
    return rel


@transaction.atomic
def remove_relationship(actor: User | None, contact: Contact, user: User) -> bool:
    require(actor, Cap.EDIT_MEDIA)
    deleted, _rows = Relationship.objects.filter(contact=contact, user=user).delete()
    if deleted:
        reindex_ids([contact.pk])
        audit.record(actor, "relationship_removed", contact, changes={"user": user.username})
    return bool(deleted)


def _as_id(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


__all__ = [
    "PhoneValue",
    "create_contact",
    "delete_contact",
    "reindex",
    "reindex_ids",
    "remove_relationship",
    "set_opt_out",
    "set_relationship",
    "update_contact",
]

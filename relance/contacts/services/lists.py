"""Media lists (fichiers): static lists and saved searches."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from relance.accounts.models import Client, User
from relance.accounts.permissions import Cap, require
from relance.audit import services as audit
from relance.contacts.models import Contact, ListKind, MediaList, MediaListMember
from relance.contacts.search import ContactFilters, search_contacts, visible_contacts
from relance.lib.text import fold, squash


def _clean(data: Mapping[str, Any], media_list: MediaList | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    unknown = set(data) - {"name", "kind", "description", "filters", "client_id"}
    for name in sorted(unknown):
        errors[name] = [_("Unknown field.")]
    if "name" in data or media_list is None:
        values["name"] = squash(str(data.get("name") or ""))[:200]
        if not values["name"]:
            errors["name"] = [_("A list needs a name.")]
        elif _name_taken(values["name"], media_list):
            errors["name"] = [_("Another list already has this name.")]
    if "kind" in data or media_list is None:
        values["kind"] = str(data.get("kind") or ListKind.STATIC)
        if values["kind"] not in ListKind.values:
            errors["kind"] = [_("A list is either static or a saved search (smart).")]
        elif media_list is not None and values["kind"] != media_list.kind:
            errors["kind"] = [_("A list cannot change kind; create a new one.")]
    if "description" in data:
        values["description"] = str(data.get("description") or "").strip()
    kind = values.get("kind", getattr(media_list, "kind", ListKind.STATIC))
    if "filters" in data:
        raw = data.get("filters") or {}
        if not isinstance(raw, Mapping):
            errors["filters"] = [_('Filters are an object like {"q": "énergie"}.')]
        else:
            filters = ContactFilters.from_params(raw)
            if filters.errors:
                errors["filters"] = filters.errors
            params = filters.to_params()
            params.pop("list", None)  # a saved search cannot depend on a list
            values["filters"] = params
    if kind == ListKind.SMART and not values.get("filters", getattr(media_list, "filters", None)):
        errors.setdefault("filters", []).append(_("A saved search needs at least one filter."))
    if "client_id" in data:
        client_id = data.get("client_id")
        if client_id in (None, ""):
            values["client_id"] = None
        elif not Client.objects.filter(pk=_int_or_zero(client_id)).exists():
            errors["client_id"] = [_("This client does not exist.")]
        else:
            values["client_id"] = int(client_id)
    if errors:
        raise ValidationError(errors)
    return values


def _name_taken(name: str, media_list: MediaList | None) -> bool:
    # Compared folded in Python: SQLite's case-insensitive match only folds
    # ASCII, and "Énergie" next to "énergie" would confuse everyone.
    key = fold(name)
    others = MediaList.objects.exclude(pk=media_list.pk if media_list else 0)
    return any(fold(other) == key for other in others.values_list("name", flat=True))


def _int_or_zero(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@transaction.atomic
def create_list(actor: User | None, data: Mapping[str, Any]) -> MediaList:
    require(actor, Cap.MANAGE_LISTS)
    values = _clean(data, None)
    media_list = MediaList.objects.create(
        created_by=actor if getattr(actor, "pk", None) else None, **values
    )
    audit.record(actor, "create", media_list, changes={"kind": media_list.kind})
    return media_list


@transaction.atomic
def update_list(actor: User | None, media_list: MediaList, data: Mapping[str, Any]) -> MediaList:
    require(actor, Cap.MANAGE_LISTS)
    values = _clean(data, media_list)
    before = {k: getattr(media_list, k) for k in values}
    for name, value in values.items():
        setattr(media_list, name, value)
    media_list.save()
    audit.record(actor, "update", media_list, changes=audit.diff(before, values))
    return media_list


def require_deletable(actor: User | None, media_list: MediaList) -> None:
    """Lists are shared: their creator deletes them, or someone who may delete
    from the media database (not an intern's click on a colleague's list)."""
    require(actor, Cap.MANAGE_LISTS)
    if media_list.created_by_id != getattr(actor, "pk", None):
        require(actor, Cap.DELETE_MEDIA)


@transaction.atomic
def delete_list(actor: User | None, media_list: MediaList) -> None:
    require_deletable(actor, media_list)
    audit.record(actor, "delete", media_list)
    media_list.delete()


def _require_static(media_list: MediaList) -> None:
    if media_list.kind != ListKind.STATIC:
        raise ValidationError(_("A saved search has no fixed members: change its filters instead."))


@transaction.atomic
def add_members(actor: User | None, media_list: MediaList, contact_ids: Iterable[int]) -> int:
    """Add contacts to a static list; returns how many were not members yet."""
    require(actor, Cap.MANAGE_LISTS)
    _require_static(media_list)
    ids = set(visible_contacts(actor).filter(pk__in=list(contact_ids)).values_list("pk", flat=True))
    return _add_ids(actor, media_list, ids)


def _add_ids(actor: User | None, media_list: MediaList, ids: set[int]) -> int:
    present = set(
        MediaListMember.objects.filter(media_list=media_list, contact_id__in=ids).values_list(
            "contact_id", flat=True
        )
    )
    new = sorted(ids - present)
    MediaListMember.objects.bulk_create(
        [MediaListMember(media_list=media_list, contact_id=i) for i in new],
        batch_size=2000,
        ignore_conflicts=True,
    )
    if new:
        audit.record(actor, "members_added", media_list, changes={"count": len(new)})
    return len(new)


@transaction.atomic
def add_search_results(actor: User | None, media_list: MediaList, filters: ContactFilters) -> int:
    """Add every contact matching a search (not only the page shown)."""
    require(actor, Cap.MANAGE_LISTS)
    _require_static(media_list)
    ids = set(search_contacts(actor, filters).order_by().values_list("pk", flat=True))
    return _add_ids(actor, media_list, ids)


@transaction.atomic
def remove_members(actor: User | None, media_list: MediaList, contact_ids: Iterable[int]) -> int:
    require(actor, Cap.MANAGE_LISTS)
    _require_static(media_list)
    deleted, _rows = MediaListMember.objects.filter(
        media_list=media_list, contact_id__in=list(contact_ids)
    ).delete()
    if deleted:
        audit.record(actor, "members_removed", media_list, changes={"count": deleted})
    return deleted


def list_contacts(actor: User | None, media_list: MediaList) -> QuerySet[Contact]:
    """The list's contacts now: its members, or the saved search re-run."""
    if media_list.kind == ListKind.SMART:
        return search_contacts(actor, ContactFilters.from_params(media_list.filters))
    return search_contacts(actor, ContactFilters(list_id=str(media_list.pk)))

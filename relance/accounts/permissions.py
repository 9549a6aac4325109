"""Who may do what: one table of capabilities per role.

Services call `require(user, Cap.X)`; views and the API call the same
services, so hiding a button in a template is never the only protection.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from relance.accounts.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from relance.accounts.models import User


class Cap(StrEnum):
    VIEW_MEDIA = "view_media"  # browse outlets, shows, contacts, lists
    EDIT_MEDIA = "edit_media"  # create and edit outlets, shows, contacts, relationships
    DELETE_MEDIA = "delete_media"  # delete outlets, shows, contacts
    MANAGE_LISTS = "manage_lists"  # create lists, add and remove members
    IMPORT_CONTACTS = "import_contacts"
    # Exports copy the database out of the agency's control: interns, community
    # managers and clients may not take them.
    EXPORT_CONTACTS = "export_contacts"
    ERASE_PERSONAL_DATA = "erase_personal_data"
    VIEW_CLIENTS = "view_clients"  # every client (client viewers see only their own)
    EDIT_CLIENTS = "edit_clients"
    VIEW_TEAM = "view_team"
    MANAGE_TEAM = "manage_team"  # create users, change roles
    VIEW_AUDIT = "view_audit"
    # Campaigns of every client (client viewers hold none of these: they see
    # their own client's campaigns through `campaigns.services.visible_campaigns`).
    VIEW_CAMPAIGNS = "view_campaigns"
    # Create campaigns, and edit those one is on (manager, team or author).
    EDIT_CAMPAIGNS = "edit_campaigns"
    # Edit and delete any campaign: those who answer for the client's work.
    EDIT_ALL_CAMPAIGNS = "edit_all_campaigns"
    # Queue, schedule, pause and resume a campaign's e-mails, on campaigns
    # one is on (every campaign with EDIT_ALL_CAMPAIGNS). Interns, community
    # managers and clients never send in the agency's name.
    SEND_CAMPAIGNS = "send_campaigns"
    # The agency's own settings (name, colours, tracking, later the
    # follow-up policy): the director's.
    MANAGE_AGENCY = "manage_agency"
    # Review the coverage monitoring found, add coverage by hand: the whole
    # team watches the press (client viewers see confirmed coverage only).
    EDIT_COVERAGE = "edit_coverage"


_STAFF_READ = {Cap.VIEW_MEDIA, Cap.VIEW_CLIENTS, Cap.VIEW_TEAM, Cap.VIEW_CAMPAIGNS}
_EDITOR = _STAFF_READ | {Cap.EDIT_MEDIA, Cap.MANAGE_LISTS, Cap.EDIT_COVERAGE}

ROLE_CAPABILITIES: dict[str, frozenset[Cap]] = {
    Role.DIRECTOR: frozenset(Cap),
    Role.MANAGER: frozenset(
        _EDITOR
        | {
            Cap.DELETE_MEDIA,
            Cap.IMPORT_CONTACTS,
            Cap.EXPORT_CONTACTS,
            Cap.ERASE_PERSONAL_DATA,
            Cap.EDIT_CLIENTS,
            Cap.VIEW_AUDIT,
            Cap.EDIT_CAMPAIGNS,
            Cap.EDIT_ALL_CAMPAIGNS,
            Cap.SEND_CAMPAIGNS,
        }
    ),
    Role.PRESS_OFFICER: frozenset(
        _EDITOR
        | {
            Cap.DELETE_MEDIA,
            Cap.IMPORT_CONTACTS,
            Cap.EXPORT_CONTACTS,
            Cap.EDIT_CAMPAIGNS,
            Cap.SEND_CAMPAIGNS,
        }
    ),
    Role.INTERN: frozenset(_EDITOR),
    Role.COMMUNITY_MANAGER: frozenset(_EDITOR),
    Role.CLIENT_VIEWER: frozenset(),
}


def has(user: User | AnonymousUser | None, cap: Cap) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return cap in ROLE_CAPABILITIES.get(user.role, frozenset())  # type: ignore[union-attr]


def require(user: User | AnonymousUser | None, cap: Cap) -> None:
    if not has(user, cap):
        raise PermissionDenied(_("Your role does not allow this."))


def capabilities(user: User | AnonymousUser | None) -> frozenset[Cap]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return ROLE_CAPABILITIES.get(user.role, frozenset())  # type: ignore[union-attr]

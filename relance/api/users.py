"""`/users`: the team (and client viewer accounts), by username."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from relance.accounts import services
from relance.accounts.models import Language, Role, User
from relance.accounts.permissions import Cap
from relance.api.auth import actor
from relance.api.common import name_search, reader
from relance.api.pagination import PageQuery, page_of
from relance.api.schemas import ERRORS, Id, PageOut, WriteSchema, patch_schema

router = Router(tags=["users"])


class UserIn(WriteSchema):
    username: str = Field(max_length=150)
    role: Role
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    language: Language = Language.FR
    time_zone: str = Field("Europe/Paris", max_length=64)
    phone: str = ""
    daily_call_capacity: int = Field(25, description="Follow-up calls a working day (0–200).")
    client_id: Id | None = Field(None, description="Client viewers only: their client.")
    password: str | None = Field(
        None,
        description=(
            "Write-only. Without it the account cannot log in until its owner sets a"
            " password (“forgot your password” on the login page)."
        ),
    )


class UserChange(UserIn):
    is_active: bool = Field(True, description="false deactivates the account and its tokens.")


if TYPE_CHECKING:  # the same fields, all optional (see patch_schema)
    UserPatch = UserChange
else:
    UserPatch = patch_schema(UserChange, "UserPatch")


class UserOut(Schema):
    id: int
    username: str
    role: str
    first_name: str
    last_name: str
    email: str
    language: str
    time_zone: str
    phone: str
    daily_call_capacity: int
    is_active: bool
    client_id: int | None


class UserQuery(PageQuery):
    search: str = Field("", description="Part of the username, name or e-mail.")
    q: str = Field("", description="Same as `search`.")
    role: Role | None = None
    is_active: bool | None = None


def _team(request: HttpRequest) -> QuerySet[User]:
    reader(request, Cap.VIEW_TEAM)
    return User.objects.all()


def _user(request: HttpRequest, username: str) -> User:
    user = _team(request).filter(username=username).first() if "\x00" not in username else None
    if user is None:
        raise Http404
    return user


@router.get("", response={200: PageOut[UserOut], **ERRORS}, summary="List users")
def list_users(request: HttpRequest, query: Query[UserQuery]) -> dict[str, Any]:
    qs = _team(request).order_by("username")
    qs = name_search(qs, query.search or query.q, "username", "first_name", "last_name", "email")
    if query.role:
        qs = qs.filter(role=query.role)
    if query.is_active is not None:
        qs = qs.filter(is_active=query.is_active)
    return page_of(request, qs, query)


@router.post("", response={201: UserOut, **ERRORS}, summary="Create a user")
def create_user(request: HttpRequest, payload: UserIn) -> Status[User]:
    return Status(201, services.create_user(actor(request), payload.data()))


@router.get("/{username}", response={200: UserOut, **ERRORS}, summary="Get a user")
def get_user(request: HttpRequest, username: str) -> User:
    return _user(request, username)


@router.patch("/{username}", response={200: UserOut, **ERRORS}, summary="Update a user")
def update_user(request: HttpRequest, username: str, payload: UserPatch) -> User:
    return services.update_user(actor(request), _user(request, username), payload.data())


@router.delete("/{username}", response={204: None, **ERRORS}, summary="Deactivate a user")
def deactivate_user(request: HttpRequest, username: str) -> Status[None]:
    """Deactivates the account (and revokes its tokens) rather than deleting
    it: the audit trail and past work keep saying who did what."""
    services.deactivate_user(actor(request), _user(request, username))
    return Status(204, None)

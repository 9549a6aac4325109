"""Who is calling: a bearer token (scripts, other tools) or the browser's
session (a signed-in user trying the API from the docs page).

Either way the request then runs in the user's language and time zone, so
the services' messages and the datetimes come back as that user reads them.
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from relance.accounts.models import ApiToken, User

# `last_used_at` is for people reviewing their tokens ("used today?"), not an
# access log: writing it at most once a minute spares a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _settle(request: HttpRequest, user: User) -> User:
    request.user = user
    translation.activate(user.language)
    request.LANGUAGE_CODE = user.language  # type: ignore[attr-defined]
    try:
        timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()
    return user


class BearerToken(HttpBearer):
    """`Authorization: Bearer rl_…` with a token from `relance create-api-token`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        row = None
        if token and len(token) < 200:
            row = (
                ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(token)).first()
            )
        # One message for unknown, revoked and deactivated: a caller probing
        # tokens learns nothing from the difference.
        if row is None or row.revoked_at is not None or not row.user.is_active:
            raise AuthenticationError(message=_("This API token is not valid or was revoked."))
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        return _settle(request, row.user)


class Session(APIKeyCookie):
    """The signed-in browser user. Unsafe methods need the CSRF token, as on
    the pages; a request without a session is simply not authenticated here
    (401, not a CSRF 403)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header."))
        return _settle(request, user)

    def _get_key(self, request: HttpRequest) -> str | None:  # pragma: no cover - unused
        return None

    def authenticate(
        self, request: HttpRequest, key: str | None
    ) -> User | None:  # pragma: no cover
        return None


def actor(request: HttpRequest) -> User:
    """The authenticated user of an API request."""
    return request.auth  # type: ignore[attr-defined,no-any-return]

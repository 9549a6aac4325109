"""The `/api/v1/` NinjaAPI: routers, authentication and error handlers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.parser import Parser

from relance.api import (
    campaigns,
    clients,
    contacts,
    coverage,
    errors,
    followups,
    interactions,
    lists,
    outlets,
    shows,
    users,
)
from relance.api.auth import BearerToken, Session
from relance.api.schemas import check_text

DESCRIPTION = """\
The JSON API of Relance, a thin layer over the same services as the pages.

**Authentication.** `Authorization: Bearer <token>`, with a token printed by
`relance create-api-token USERNAME`. A signed-in browser session works too
(send the CSRF token with writes). Requests run with the rights of the
token's user and answer in their language and time zone.

**Lists** paginate with `page` and `page_size` (1–200) and answer
`{"count", "count_capped", "page", "page_size", "next", "previous", "results"}`;
counts stop at 10,000 (`count_capped`). `search` is the full-text parameter
(accents and case do not matter). Roles that may not export contacts read
contacts 25 at a time, the first 100 results of a search, within an hourly
budget.

**Errors** are `{"detail": "…", "errors": {"field": ["…"]}}`: 400 for invalid
input (`__all__` for problems not tied to one field), 401 without valid
credentials, 403 when the role does not allow it, 404 for what does not exist
or is not visible, 429 over a read budget.
"""


class StrictParser(Parser):
    """ninja's JSON parser, refusing query values the databases cannot store."""

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        result = super().parse_querydict(data, list_fields, request)
        for key, value in result.items():
            try:
                check_text([key, value])
            except ValueError as exc:
                raise ValidationError({key: [str(exc)]}) from None
        return result


api = NinjaAPI(
    title="Relance API",
    version="1",
    description=DESCRIPTION,
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api-v1",
    auth=[BearerToken(), Session()],
    parser=StrictParser(),
)
errors.install(api)
api.add_router("/outlets", outlets.router)
api.add_router("/shows", shows.router)
api.add_router("/contacts", contacts.router)
api.add_router("/lists", lists.router)
api.add_router("/clients", clients.router)
api.add_router("/users", users.router)
# `followups` adds its endpoint to the campaigns router (imported above).
assert followups.router is campaigns.router
api.add_router("/campaigns", campaigns.router)
api.add_router("/interactions", interactions.router)
api.add_router("/coverage", coverage.router)

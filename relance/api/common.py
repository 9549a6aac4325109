"""Small helpers every resource module uses: reading rights and lookups."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, QueryDict

from relance.accounts.models import User
from relance.accounts.permissions import Cap, require
from relance.api.auth import actor
from relance.api.schemas import MAX_ID
from relance.lib.text import fold, words


def reader(request: HttpRequest, cap: Cap) -> User:
    """The caller, once checked for a read capability: the services guard
    writes, the API also guards what it shows."""
    user = actor(request)
    require(user, cap)
    return user


def get_or_404[M: Model](qs: QuerySet[M], pk: int) -> M:
    """The row with this id in `qs`, or 404 (ids out of range included, which
    the databases would refuse)."""
    if not 1 <= pk <= MAX_ID:
        raise Http404
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def with_search(request: HttpRequest, name: str = "q") -> QueryDict:
    """The query string as the search helpers read it, with `search` (the
    API's full-text parameter, DESIGN.md §4) given under `name`. Lists keep
    repeated parameters (`role=a&role=b`)."""
    params = request.GET.copy()
    search = params.get("search")
    if search:
        params.setlist(name, [search])
    return params


def name_search[M: Model](qs: QuerySet[M], text: str, *fields: str) -> QuerySet[M]:
    """Rows of a small table (clients, team, lists, shows) whose `fields`
    contain every word of `text`, ignoring accents and case ("eolia" finds
    "Éolia"). Compared in Python: these tables hold hundreds of rows, not the
    millions of contacts, and SQLite folds only ASCII letters itself."""
    terms = words(text)
    if not terms:
        return qs
    ids = [
        pk
        for pk, *values in qs.values_list("pk", *fields)
        if all(term in fold(" ".join(v or "" for v in values)) for term in terms)
    ]
    return qs.filter(pk__in=ids)

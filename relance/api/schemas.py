"""Shared API schemas: ids, dates, the write-schema base, the paginated
envelope and the error bodies.

Write schemas only check *types* (and the limits of database columns the
services do not check); the services validate meaning and answer with
translated, field-named messages, exactly as they do for the pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, create_model, field_validator

# Largest value of a 64-bit primary key: beyond it SQLite overflows and
# PostgreSQL refuses the query, so larger ids are refused (400) or not found
# (404) before reaching the database.
MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _local(value: datetime) -> datetime:
    """Datetimes leave the API in the reader's time zone, with the offset
    ("2026-03-08T09:00:00+01:00"), as DESIGN.md §4 shows them."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return timezone.localtime(value)


LocalDateTime = Annotated[datetime, AfterValidator(_local)]


def check_text(value: Any) -> None:
    """Refuse text the databases cannot store (PostgreSQL rejects NUL bytes;
    lone surrogates from JSON "\\ud800" escapes cannot be encoded), anywhere
    in a value: otherwise the write would fail with a 500."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(_("Text cannot contain NUL characters."))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(_("Text is not valid Unicode.")) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key)
            check_text(item)
    elif isinstance(value, list | tuple):
        for item in value:
            check_text(item)


class WriteSchema(Schema):
    """Base of every request body: unknown fields are errors (a typo must not
    be silently ignored), text is storable."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        check_text(value)
        return value

    def data(self) -> dict[str, Any]:
        """The fields the client sent, as plain JSON values, for the services
        (which apply their own defaults to the missing ones)."""
        return self.model_dump(mode="json", exclude_unset=True)


def patch_schema(schema: type[WriteSchema], name: str) -> type[WriteSchema]:
    """The same fields, all optional, for PATCH. A field left out keeps its
    value; `null` is accepted only where the field itself is nullable (so
    `"accepts_phone": null` is an error, not a silent `false`)."""
    fields: dict[str, Any] = {}
    for field_name, info in schema.model_fields.items():
        annotation = info.annotation
        if info.metadata:
            annotation = Annotated[(annotation, *info.metadata)]  # type: ignore[assignment]
        fields[field_name] = (
            annotation,
            Field(default=None, description=info.description, examples=info.examples),
        )
    return create_model(name, __base__=WriteSchema, __doc__=schema.__doc__, **fields)


class PageOut[T](Schema):
    count: int = Field(description="Number of results, counted up to 10,000 (see count_capped).")
    count_capped: bool = Field(description="True when there are more than 10,000 results.")
    page: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[T]


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = Field(
        default=None,
        description="Messages by field; `__all__` for problems not tied to one field.",
    )


# Documented on every operation that can answer them.
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class CountOut(Schema):
    count: int

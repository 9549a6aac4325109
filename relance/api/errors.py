"""Error answers: every failure is JSON `{"detail": …, "errors": {field: […]}}`.

* 400 — bad input: the services' ValidationError (translated, field-named
  messages) and ninja's own request validation (wrong types, missing fields,
  malformed JSON), which ninja would answer with 422 and pydantic's English.
* 401 — no or bad credentials; 403 — the role does not allow it;
  404 — no such object (or not visible to this user); 429 — read quota.

Nothing a client sends may produce a 500 (DESIGN.md §7).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger("relance.api")

NON_FIELD = "__all__"  # Django's NON_FIELD_ERRORS key
# Every body parameter of this API is named `payload`; pydantic puts that
# name in the error location, clients never see it.
BODY_PARAM = "payload"


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    detail: str,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def invalid(api: NinjaAPI, request: HttpRequest, errors: dict[str, list[str]]) -> HttpResponse:
    return error_response(api, request, 400, _("Some values are not valid."), errors)


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == BODY_PARAM:
            parts.pop(0)
    return ".".join(str(p) for p in parts) or NON_FIELD


def _message(error: dict[str, Any]) -> str:
    """pydantic's error, said plainly in the user's language."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind == "missing" and _field_name(error.get("loc", ())) == NON_FIELD:
        return _("Send a JSON object in the request body.")
    simple = {
        "missing": _("This field is required."),
        "extra_forbidden": _("Unknown field."),
        "int_parsing": _("Expected a whole number."),
        "int_type": _("Expected a whole number."),
        "int_from_float": _("Expected a whole number."),
        "bool_parsing": _("Expected true or false."),
        "bool_type": _("Expected true or false."),
        "string_type": _("Expected text."),
        "list_type": _("Expected a list."),
        "dict_type": _("Expected an object."),
        "model_type": _("Expected an object."),
        "model_attributes_type": _("Expected an object."),
        "date_parsing": _("Not a date; use 2026-12-31."),
        "date_from_datetime_parsing": _("Not a date; use 2026-12-31."),
        "date_type": _("Not a date; use 2026-12-31."),
        "time_parsing": _("Not a time; use 06:30."),
        "time_type": _("Not a time; use 06:30."),
        "datetime_parsing": _("Not a date and time; use 2026-12-31T09:30:00+01:00."),
        "datetime_from_date_parsing": _("Not a date and time; use 2026-12-31T09:30:00+01:00."),
        "datetime_type": _("Not a date and time; use 2026-12-31T09:30:00+01:00."),
    }
    if kind in simple:
        return simple[kind]
    if kind in ("enum", "literal_error"):
        return _("Not a valid choice; use one of: %(expected)s.") % {
            "expected": ctx.get("expected", "")
        }
    if kind in ("greater_than_equal", "greater_than"):
        return _("Too small: at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("Too large: at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind == "string_too_long":
        return _("Too long: at most %(limit)d characters.") % {"limit": ctx.get("max_length", 0)}
    if kind == "too_long":
        return _("Too many items: at most %(limit)s.") % {"limit": ctx.get("max_length")}
    return str(error.get("msg") or _("Invalid value."))


def request_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in errors:
        messages = out.setdefault(_field_name(error.get("loc", ())), [])
        message = _message(error)
        if message not in messages:
            messages.append(message)
    return out


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api` (after ninja's defaults, which they replace)."""

    def on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return invalid(api, request, request_errors(exc.errors))

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            return invalid(api, request, exc.message_dict)
        messages = list(exc.messages)
        return error_response(api, request, 400, " ".join(messages), {NON_FIELD: messages})

    def on_permission(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(api, request, 403, str(exc) or _("Your role does not allow this."))

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 404, _("Not found."))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, AuthenticationError):
            detail = exc.message
            if detail == "Unauthorized":  # ninja's own: none of the methods applied
                detail = _(
                    "Authentication required: send the header “Authorization: Bearer <token>”."
                )
            response = error_response(api, request, 401, detail)
            response["WWW-Authenticate"] = 'Bearer realm="relance"'
            return response
        if exc.status_code == 400 and exc.message.startswith("Cannot parse request body"):
            detail = _("The request body is not valid JSON.")
            return error_response(api, request, 400, detail, {NON_FIELD: [detail]})
        response = error_response(api, request, exc.status_code, exc.message)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            response["Retry-After"] = str(retry_after)
        return response

    def on_data_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A safety net: a value the database refused (too long, out of range)
        # that validation should have caught. Say so instead of a 500, and log
        # it so the missing check gets written.
        logger.warning("Database refused a value on %s: %s", request.path, exc)
        detail = _("A value is too long or out of range.")
        return error_response(api, request, 400, detail, {NON_FIELD: [detail]})

    handlers: dict[type[Exception], Callable[[HttpRequest, Any], HttpResponse]] = {
        NinjaValidationError: on_ninja_validation,
        ValidationError: on_validation,
        PermissionDenied: on_permission,
        Http404: on_not_found,
        ObjectDoesNotExist: on_not_found,
        HttpError: on_http_error,
        DataError: on_data_error,
        OverflowError: on_data_error,
    }
    for exc_class, handler in handlers.items():
        api.add_exception_handler(exc_class, handler)


class QuotaExceeded(HttpError):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(429, message)
        self.retry_after = retry_after

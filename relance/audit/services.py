"""Recording and reading the audit trail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from relance.audit.models import AuditEntry


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def record(
    actor: Any,
    action: str,
    target: models.Model | None = None,
    *,
    target_type: str = "",
    target_label: str = "",
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. `actor` may be None for system actions (a task, a
    journalist using a preference link)."""
    user = actor if getattr(actor, "pk", None) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_label=getattr(user, "username", "") or "system",
        action=action,
        target_type=target_type or (str(target._meta.model_name) if target is not None else ""),
        target_id=target.pk if target is not None else None,
        target_label=(target_label or str(target or ""))[:300],
        changes=_jsonable(dict(changes or {})),
    )


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{"field": [old, new]} for the fields whose value changed."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(value)]
        for key, value in after.items()
        if before.get(key) != value
    }


def history(target_type: str, target_ids: Iterable[int]) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(target_type=target_type, target_id__in=list(target_ids))

from __future__ import annotations

from collections.abc import Iterable

from relance.contacts import choices
from relance.contacts.documents import beat_key
from relance.contacts.models import Beat


def beats_for(names: Iterable[str]) -> list[Beat]:
    """The Beat rows for `names`, creating the missing ones. "écologie" and
    "Écologie" are one beat; the first spelling seen is kept."""
    wanted: dict[str, str] = {}
    for name in names:
        key = beat_key(name)
        if key and key not in wanted:
            wanted[key] = name.strip()
    if not wanted:
        return []
    existing = {b.key: b for b in Beat.objects.filter(key__in=list(wanted))}
    missing = [Beat(name=name, key=key) for key, name in wanted.items() if key not in existing]
    if missing:
        Beat.objects.bulk_create(missing, ignore_conflicts=True)
        choices.forget()
        existing = {b.key: b for b in Beat.objects.filter(key__in=list(wanted))}
    return [existing[key] for key in wanted]

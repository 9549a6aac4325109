"""Writing a checked plan: new outlets, new contacts with their e-mails,
phones and beats, updates of known contacts. Called inside one transaction.

New contacts go in with multi-row inserts (executemany on SQLite, COPY on
PostgreSQL) under ids reserved up front, so their e-mails, phones and beats
can be written without reading anything back. The derived columns
(`name_key`, `search_document`) come from relance.contacts.documents, like
every other write path, so the imported contacts are found by search at once
(SQLite's FTS5 triggers fire on insert; PostgreSQL's GIN index follows).

Updates never lower a journalist's protection: an import can opt someone
out, mark them do-not-contact, pause them longer or stop calls, never the
reverse (DESIGN §7: journalists' choices win).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from itertools import islice
from operator import itemgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model
from django.utils import timezone

from relance.audit.models import AuditEntry
from relance.contacts.documents import (
    beat_key,
    contact_document,
    contact_name_key,
    facet,
    outlet_document,
    outlet_name_key,
)
from relance.contacts.importing.checking import Checked, OutletRef
from relance.contacts.importing.derived import facts_for
from relance.contacts.importing.plan import Plan
from relance.contacts.models import (
    Contact,
    ContactBeat,
    ContactEmail,
    ContactPhone,
    Outlet,
)
from relance.contacts.services.beats import beats_for
from relance.contacts.services.contacts import reindex_ids

BATCH = 5000
_UNSEEN = object()
# Contact columns an import sets from the file (the others are derived).
FILE_FIELDS = (
    "first_name",
    "last_name",
    "role",
    "title",
    "language",
    "social",
    "accepts_phone",
    "preferred_channel",
    "best_hours",
    "paused_until",
    "opted_out",
    "opted_out_at",
    "opted_out_source",
    "do_not_contact",
    "vip",
    "notes",
    "legal_basis",
    "source",
)
Progress = Callable[[int, int], None]


def write_plan(
    plan: Plan, actor: Any, default_source: str, progress: Progress | None = None
) -> tuple[list[int], list[int]]:
    """Write the plan; returns the ids of the contacts created and updated."""
    now = timezone.now()
    result = plan.result
    started = time.perf_counter()
    outlet_ids = _create_outlets(plan, actor)
    states = [_initial_state(c.row, now, default_source) for c in plan.creates]
    for state, create in zip(states, plan.creates, strict=True):
        for row in create.merged:
            merge(state, row, now)
    beat_ids = _beat_ids(states, plan.updates)
    result.timed("write_outlets_beats", started)
    created_ids = _insert_contacts(plan, states, outlet_ids, beat_ids, actor, now, progress)
    started = time.perf_counter()
    updated = _apply_updates(plan, outlet_ids, beat_ids, actor, now)
    result.timed("write_updates", started)
    result.written = True
    return created_ids, updated


# --- Merging rows into a contact -------------------------------------------------


def _initial_state(row: Checked, now: datetime, default_source: str) -> dict[str, Any]:
    """A new contact's values from its first row. The lists are shared with
    the checked row: merge() replaces them, never changes them in place."""
    values = row.values
    assert values is not None
    state = dict(values)
    state["outlet_key"] = row.outlet_key
    if values["opted_out"]:
        state["opted_out_at"] = now
        state["opted_out_source"] = values.get("opted_out_source") or "agency"
    else:
        state["opted_out_at"] = None
        state["opted_out_source"] = ""
    if not values["source"] and default_source:
        state["source"] = default_source
    state["_changed"] = False
    state["name_key"] = row.name_key
    state["search_document"] = row.document
    return state


def merge(state: dict[str, Any], row: Checked, now: datetime) -> None:
    """Apply a row's values onto a contact's state: the fields the row gives
    overwrite, lists grow, notes are added to, and protections only rise."""
    values = row.values
    assert values is not None
    present = set(row.present)
    if present & {"first_name", "last_name"}:
        state["first_name"], state["last_name"] = values["first_name"], values["last_name"]
    for name in (
        "role",
        "title",
        "language",
        "preferred_channel",
        "best_hours",
        "legal_basis",
        "source",
        "vip",
    ):
        if name in present:
            state[name] = values[name]
    if "notes" in present and values["notes"] and values["notes"] not in (state["notes"] or ""):
        state["notes"] = (
            f"{state['notes']}\n{values['notes']}" if state["notes"] else values["notes"]
        )
    if "social" in present:
        state["social"] = {**state["social"], **values["social"]}
    # Journalists' choices win: these only ever become more protective.
    if "opted_out" in present and values["opted_out"] and not state["opted_out"]:
        state["opted_out"] = True
        state["opted_out_at"] = now
        state["opted_out_source"] = values.get("opted_out_source") or "agency"
    elif state["opted_out"] and values.get("opted_out_source") == "self":
        state["opted_out_source"] = "self"  # the person's own request cannot be undone
    if "do_not_contact" in present and values["do_not_contact"]:
        state["do_not_contact"] = True
    if "accepts_phone" in present and not values["accepts_phone"]:
        state["accepts_phone"] = False
    paused = values["paused_until"]
    if (
        "paused_until" in present
        and paused
        and (state["paused_until"] is None or paused > state["paused_until"])
    ):
        state["paused_until"] = paused
    if "emails" in present and values["emails"]:
        state["emails"] = _merge_items(
            [[*e, "valid"] for e in values["emails"]],
            [[*e, "valid"] if len(e) == 3 else e for e in state["emails"]],
            str.lower,
        )
    if "phones" in present and values["phones"]:
        state["phones"] = _merge_items([list(p) for p in values["phones"]], state["phones"], str)
    if "beats" in present:
        have = {beat_key(b) for b in state["beats"]}
        state["beats"] = state["beats"] + [b for b in values["beats"] if beat_key(b) not in have]
    if row.outlet_key:
        state["outlet_key"] = row.outlet_key
    state["_changed"] = True


def _merge_items(incoming: list[list], existing: list[list], norm: Callable) -> list[list]:
    """The file's items first (its first one becomes primary), then the
    contact's other ones; an address keeps its status (a bounce survives)."""
    old = {norm(item[0]): item for item in existing}
    merged, seen = [], set()
    for item in incoming + existing:
        key = norm(item[0])
        if key in seen:
            continue
        seen.add(key)
        if key in old and len(item) > 3:
            item = item[:3] + old[key][3:]
        merged.append(list(item))
    for i, item in enumerate(merged):
        item[2] = i == 0
    return merged


# --- Outlets and beats ---------------------------------------------------------


def _create_outlets(plan: Plan, actor: Any) -> dict[str, int]:
    """New outlets, derived as services.outlets does, each with its "create"
    entry in the audit trail (like one created by hand)."""
    ids = {key: ref.id for key, ref in plan.outlets.items() if ref.id is not None}
    if not plan.new_outlets:
        return ids
    new = []
    reserved = reserve_ids(Outlet, len(plan.new_outlets))
    for pk, (key, outlet) in zip(reserved, plan.new_outlets.items(), strict=True):
        row = Outlet(**outlet.values)
        row.pk = pk
        row.name_key = outlet_name_key(row.name)
        row.search_document = outlet_document(row.name, row.city, row.region, row.editorial_line)
        new.append(row)
        ids[key] = pk
    user = actor if getattr(actor, "pk", None) else None
    entries = [
        AuditEntry(
            actor=user,
            actor_label=getattr(user, "username", "") or "system",
            action="create",
            target_type="outlet",
            target_id=row.pk,
            target_label=row.name[:300],
            changes={"import": plan.result.filename},
        )
        for row in new
    ]
    insert_objects(Outlet, new)
    insert_objects(AuditEntry, entries)
    return ids


def insert_objects(model: type[Model], objects: Sequence[Model]) -> None:
    """bulk_create without reading ids back (the objects have theirs, or
    need none): the values prepared as Django prepares them, then written by
    insert_rows (a few hundred statements of forty rows each become one
    executemany, or one COPY)."""
    fields = [
        f for f in model._meta.concrete_fields if not (f.primary_key and objects[0].pk is None)
    ]
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not its thread-local proxy
    rows = (tuple(f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields) for obj in objects)
    insert_rows(model, [str(f.column) for f in fields], rows, lambda count: None)


def _beat_ids(
    states: list[dict[str, Any]], updates: dict[int, list[Checked]]
) -> dict[str, tuple[int, str]]:
    """beat key -> (id, the name the base keeps for it), creating new beats."""
    names: dict[str, str] = {}
    keys: dict[str, str] = {}  # a few dozen beats over thousands of contacts
    for state in states:
        for name in state["beats"]:
            key = keys.get(name)
            if key is None:
                key = keys[name] = beat_key(name)
            names.setdefault(key, name)
    for rows in updates.values():
        for row in rows:
            for name in row.values["beats"] if row.values else ():
                names.setdefault(beat_key(name), name)
    return {b.key: (b.pk, b.name) for b in beats_for(list(names.values()))}


# --- Inserting new contacts ----------------------------------------------------------


def _insert_contacts(
    plan: Plan,
    states: list[dict[str, Any]],
    outlet_ids: dict[str, int],
    beat_ids: dict[str, tuple[int, str]],
    actor: Any,
    now: datetime,
    progress: Progress | None,
) -> list[int]:
    if not states:
        return []
    started = time.perf_counter()
    ids = reserve_ids(Contact, len(states))
    actor_id = getattr(actor, "pk", None)
    # Placeholder outlet tokens in the documents -> the created outlets' ids.
    swaps = {
        ref.key: (ref.placeholder_token() + " ", facet("outlet", outlet_ids[ref.key]) + " ")
        for ref in plan.outlets.values()
        if ref.id is None and ref.key in outlet_ids
    }
    columns, make_row = _contact_row_maker(actor_id, now)
    email_rows: list[tuple] = []
    phone_rows: list[tuple] = []
    beat_rows: list[tuple] = []
    beat_of: dict[str, Any] = {}  # the file's spelling -> (id, the base's name) or None

    def contact_rows() -> Iterator[tuple]:
        """Each new contact's row, filling its e-mails, phones and beats on
        the way: produced while the database takes the previous ones (a
        PostgreSQL COPY streams), not all prepared first."""
        for pk, state in zip(ids, states, strict=True):
            key = state["outlet_key"]
            names = state["beats"]
            found = []
            for name in names:
                beat = beat_of.get(name, _UNSEEN)
                if beat is _UNSEEN:
                    beat = beat_of[name] = beat_ids.get(beat_key(name))
                found.append(beat)
            # A beat already known under another spelling ("energie" in the
            # base, "Énergie" in the file): the document uses the base's (and
            # the links below the ids found for the file's spellings).
            if any(beat and beat[1] != name for beat, name in zip(found, names, strict=True)):
                state["beats"] = [
                    beat[1] if beat else name for beat, name in zip(found, names, strict=True)
                ]
                state["_changed"] = True
            if state["_changed"]:  # rows merged in: derive again from the merged values
                _derive(state, plan.outlets.get(key), outlet_ids.get(key))
            elif key in swaps:
                old, new = swaps[key]
                state["search_document"] = (state["search_document"] + " ").replace(old, new)[:-1]
            for email in state["emails"]:
                status = email[3] if len(email) > 3 else "valid"
                email_rows.append((pk, email[0], email[1], email[2], status))
            for number, label, primary in state["phones"]:
                phone_rows.append((pk, number, label, primary))
            seen = set()
            for beat in found:
                if beat and beat[0] not in seen:
                    seen.add(beat[0])
                    beat_rows.append((pk, beat[0]))
            yield make_row(pk, state, outlet_ids.get(key))

    # Progress counts contacts, then their e-mails, phones and beats (about
    # four rows per contact).
    total = len(states) * 4
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done = min(total, done + count)
        if progress:
            progress(done, total)

    timed = plan.result.timed
    with _bulk_fulltext(ids[0], ids[-1]):
        insert_rows(Contact, columns, contact_rows(), step)
        started = timed("write_contacts", started)
    started = timed("write_fulltext", started)
    insert_rows(
        ContactEmail, ("contact_id", "address", "label", "is_primary", "status"), email_rows, step
    )
    started = timed("write_emails", started)
    insert_rows(ContactPhone, ("contact_id", "number", "label", "is_primary"), phone_rows, step)
    started = timed("write_phones", started)
    insert_rows(ContactBeat, ("contact_id", "beat_id"), beat_rows, step)
    timed("write_beats", started)
    if progress:
        progress(total, total)
    return ids


def _derive(state: dict[str, Any], ref: OutletRef | None, outlet_id: int | None) -> None:
    """name_key and search_document of a new contact whose rows were merged."""
    state["name_key"] = contact_name_key(state["first_name"], state["last_name"])
    # Beats in name order, as the services list them (Beat.Meta.ordering).
    merged = {**state, "beats": sorted(state["beats"])}
    state["search_document"] = contact_document(facts_for(merged, ref, outlet_id))


_DYNAMIC = frozenset(
    {
        "first_name",
        "last_name",
        "role",
        "title",
        "language",
        "accepts_phone",
        "preferred_channel",
        "best_hours",
        "opted_out",
        "opted_out_source",
        "do_not_contact",
        "vip",
        "notes",
        "legal_basis",
        "source",
        "name_key",
        "search_document",
        "show_id",
    }
)


def _contact_row_maker(actor_id: int | None, now: datetime):
    """The contact table's columns, and a function making one row's values
    (one C-level itemgetter over the state), adapted for the database once
    per import rather than once per cell."""
    ops = connection.ops
    sqlite = connection.vendor == "sqlite"
    constants: dict[str, Any] = {}
    columns: list[str] = []
    keys: list[str] = []
    for f in Contact._meta.concrete_fields:
        columns.append(str(f.column))
        if f.name == "id":
            keys.append("id")
        elif f.name == "outlet":
            keys.append("outlet_id")
        elif f.name == "created_by":
            constants["created_by_id"] = actor_id
            keys.append("created_by_id")
        elif f.name in ("created_at", "updated_at"):
            constants[f.name] = ops.adapt_datetimefield_value(now)
            keys.append(f.name)
        elif f.name in ("social", "paused_until", "opted_out_at"):
            keys.append(f"_{f.name}")
        elif f.attname in _DYNAMIC:
            keys.append(f.attname)
        else:
            # A column this module does not know about (added later): its default.
            constants[f"_const_{f.attname}"] = f.get_db_prep_save(f.get_default(), connection)
            keys.append(f"_const_{f.attname}")
    getter = itemgetter(*keys)

    def make_row(pk: int, state: dict[str, Any], outlet_id: int | None) -> tuple:
        state["id"] = pk
        state["outlet_id"] = outlet_id
        state.update(constants)
        social = state["social"]
        state["_social"] = json.dumps(social, ensure_ascii=False) if social else "{}"
        paused = state["paused_until"]
        state["_paused_until"] = (paused.isoformat() if sqlite else paused) if paused else None
        stamp = state["opted_out_at"]
        state["_opted_out_at"] = ops.adapt_datetimefield_value(stamp) if stamp else None
        return getter(state)

    return columns, make_row


# The SQLite full-text index is kept by an AFTER INSERT trigger (migrations
# 0002, 0003), one FTS5 statement per contact. For a bulk insert, the same
# rows are indexed four times faster by one INSERT … SELECT of the trigger's
# own values, `new.` read as the table's rows: the trigger is set aside for
# the duration of the insert, inside the import's transaction (SQLite DDL
# is transactional, and the IMMEDIATE transaction keeps every other writer
# out, so no row can miss the index; a rollback puts it back).
_FTS_TRIGGER = "contacts_contact_fts_ai"
_FTS_BODY = re.compile(
    r"BEGIN\s+INSERT\s+INTO\s+contacts_contact_fts\s*\(\s*rowid\s*,\s*search_document\s*\)"
    r"\s*VALUES\s*\((?P<values>[^;'\"]*)\)\s*;\s*END\s*$",
    re.IGNORECASE,
)
_NEW_ROW = re.compile(r"\bnew\.", re.IGNORECASE)


def fulltext_select(trigger_sql: str) -> str | None:
    """The INSERT … SELECT that indexes a range of ids as the trigger would
    index each of them, or None for a trigger body this code does not know
    (which then keeps firing row by row: slower, still right)."""
    found = _FTS_BODY.search(trigger_sql)
    if found is None:
        return None
    values = _NEW_ROW.sub("contacts_contact.", found["values"]).replace("%", "%%")
    # In rowid order: FTS5 writes out its pending terms whenever a rowid is
    # lower than the previous one, and rowids that are name ranks (0003)
    # come in any order (three times slower for 100,000 contacts unsorted).
    return (
        f"INSERT INTO contacts_contact_fts(rowid, search_document) SELECT {values} "
        "FROM contacts_contact WHERE id BETWEEN %s AND %s ORDER BY 1"
    )


@contextmanager
def _bulk_fulltext(first_id: int, last_id: int) -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield  # PostgreSQL's GIN index follows the inserted rows by itself
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [_FTS_TRIGGER]
        )
        found = cursor.fetchone()
        select = fulltext_select(found[0]) if found else None
        if select is None:
            yield
            return
        cursor.execute(f"DROP TRIGGER {_FTS_TRIGGER}")
        try:
            yield
            cursor.execute(select, [first_id, last_id])
        finally:
            cursor.execute(found[0])


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`, safe against other writers:
    PostgreSQL hands them out from the table's sequence; on SQLite the
    import's IMMEDIATE transaction holds the write lock, and ids already
    used once (AUTOINCREMENT's high-water mark) are never reused."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cursor.fetchone()
        start = max(top, seq[0] if seq else 0) + 1
    return list(range(start, start + count))


def insert_rows(
    model: type[Model], columns: Sequence[str], rows: Iterable[tuple], step: Callable[[int], None]
) -> None:
    """Insert rows in batches: COPY on PostgreSQL, executemany on SQLite."""
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    rows = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                count = 0
                for row in rows:
                    copy.write_row(row)
                    count += 1
                    if count == BATCH:
                        step(count)
                        count = 0
            step(count)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"
        while batch := list(islice(rows, BATCH)):
            cursor.executemany(sql, batch)
            step(len(batch))


# --- Updating known contacts ---------------------------------------------------


def _apply_updates(
    plan: Plan,
    outlet_ids: dict[str, int],
    beat_ids: dict[str, tuple[int, str]],
    actor: Any,
    now: datetime,
) -> list[int]:
    if not plan.updates:
        return []
    ids = sorted(plan.updates)
    contacts: dict[int, Contact] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        for contact in (
            Contact.objects.filter(pk__in=chunk)
            .select_related("outlet")
            .prefetch_related("emails", "phones", "beats")
        ):
            contacts[contact.pk] = contact
    key_by_outlet_id = {v: k for k, v in outlet_ids.items()}
    audit_rows = []
    email_rows, phone_rows, beat_rows = [], [], []
    changed: list[Contact] = []
    for pk in ids:
        found = contacts.get(pk)
        if found is None or found.erased_at:
            continue
        contact = found
        state = _state_of(contact, key_by_outlet_id)
        before = _comparable(state)
        for row in plan.updates[pk]:
            merge(state, row, now)
        outlet_id = outlet_ids.get(state["outlet_key"], contact.outlet_id)
        after = _comparable(state)
        changes = {k: [_plain(before[k]), _plain(after[k])] for k in after if before[k] != after[k]}
        if outlet_id != contact.outlet_id:
            changes["outlet"] = [contact.outlet_id, outlet_id]
        if not changes:
            continue
        for name in FILE_FIELDS:
            setattr(contact, name, state[name])
        contact.outlet_id = outlet_id
        contact.name_key = contact_name_key(state["first_name"], state["last_name"])
        contact.updated_at = now
        changed.append(contact)
        for address, label, primary, status in state["emails"]:
            email_rows.append((pk, address, label, primary, status))
        for number, label, primary in state["phones"]:
            phone_rows.append((pk, number, label, primary))
        have = {b.pk for b in contact.beats.all()}
        for name in state["beats"]:
            beat = beat_ids.get(beat_key(name))
            if beat and beat[0] not in have:
                have.add(beat[0])
                beat_rows.append((pk, beat[0]))
        audit_rows.append(
            AuditEntry(
                actor=actor if getattr(actor, "pk", None) else None,
                actor_label=getattr(actor, "username", "") or "system",
                action="import_update",
                target_type="contact",
                target_id=pk,
                target_label=contact.full_name[:300],
                changes={"file": plan.result.filename, **changes},
            )
        )
    Contact.objects.bulk_update(
        changed,
        [*FILE_FIELDS, "outlet_id", "name_key", "search_document", "updated_at"],
        batch_size=500,
    )
    changed_ids = [c.pk for c in changed]
    for start in range(0, len(changed_ids), 900):
        chunk = changed_ids[start : start + 900]
        ContactEmail.objects.filter(contact_id__in=chunk).delete()
        ContactPhone.objects.filter(contact_id__in=chunk).delete()
    noop = lambda count: None  # noqa: E731
    insert_rows(
        ContactEmail, ("contact_id", "address", "label", "is_primary", "status"), email_rows, noop
    )
    insert_rows(ContactPhone, ("contact_id", "number", "label", "is_primary"), phone_rows, noop)
    insert_rows(ContactBeat, ("contact_id", "beat_id"), beat_rows, noop)
    AuditEntry.objects.bulk_create(audit_rows, batch_size=1000)
    # Their search documents also hold relationships and shows: recomputed
    # by the same function as every other edit.
    reindex_ids(changed_ids)
    return changed_ids


def _state_of(contact: Contact, key_by_outlet_id: dict[int, str]) -> dict[str, Any]:
    state: dict[str, Any] = {name: getattr(contact, name) for name in FILE_FIELDS}
    state["social"] = dict(contact.social or {})
    state["emails"] = [[e.address, e.label, e.is_primary, e.status] for e in contact.emails.all()]
    state["emails"].sort(key=lambda e: not e[2])
    state["phones"] = [[p.number, p.label, p.is_primary] for p in contact.phones.all()]
    state["phones"].sort(key=lambda p: not p[2])
    state["beats"] = [b.name for b in contact.beats.all()]
    state["outlet_key"] = key_by_outlet_id.get(contact.outlet_id, "") if contact.outlet_id else ""
    state["_changed"] = False
    return state


def _comparable(state: dict[str, Any]) -> dict[str, Any]:
    data = {name: state[name] for name in FILE_FIELDS if name != "opted_out_at"}
    data["emails"] = [tuple(e[:3]) for e in state["emails"]]
    data["phones"] = [tuple(p) for p in state["phones"]]
    data["beats"] = sorted(state["beats"])
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Iterable) and not isinstance(value, str | dict):
        return [_plain(v) for v in value]
    return value

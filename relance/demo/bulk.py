"""Loading the generated contacts on SQLite and PostgreSQL.

One transaction per build: a crash leaves the base as it was. For big builds
the indexes that would be maintained at random places are dropped and
rebuilt after the load (a sort is cheaper than a million random
insertions), from their definitions as read back from the database, and:

* SQLite: the full-text triggers of migration 0002 are dropped and, after
  the load, recreated from that migration's own SQL; the FTS5 index is built
  in parallel by `relance.demo.fts` (or rebuilt in place when the table
  already held contacts). Foreign keys are not re-checked row by row (every
  id is generated consistent).
* PostgreSQL: foreign-key triggers are skipped the same way when the role
  may (session_replication_role), and indexes are rebuilt with a larger
  maintenance_work_mem.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

from relance.contacts.models import Contact
from relance.demo import DEMO_SOURCE, fts, sqlgen
from relance.demo.spec import Spec, Table
from relance.demo.sqlgen import Dialect

Progress = Callable[[str], None]
BULK_TABLES = (
    "contacts_contact",
    "contacts_contactemail",
    "contacts_contactphone",
    "contacts_contactbeat",
    "contacts_relationship",
)
BULK_MODELS = ("Contact", "ContactEmail", "ContactPhone", "ContactBeat", "Relationship")
# Indexes kept (maintained row by row) during a bulk load: those whose keys
# arrive in order (contact ids ascend; contacts come grouped by outlet) or
# take a few values (each insertion lands on one of a few hot pages; the
# demo's dates come from a pool of a thousand). The others (names, e-mail
# addresses) would touch a random page per row: they are rebuilt by a sort.
IN_ORDER = frozenset({"id", "contact_id", "outlet_id", "show_id"})
FEW_VALUES = frozenset(
    {"beat_id", "user_id", "created_by_id", "opted_out", "language", "updated_at"}
)
# Contacts are inserted in slices so that a long load shows its progress.
SLICES = 10
_aliases = itertools.count(1)


def dialect() -> Dialect:
    return Dialect(connection.vendor)


def _raw_cursor() -> Any:
    connection.ensure_connection()
    return connection.connection.cursor()  # type: ignore[union-attr]


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Plain rows into a table, the fastest way each engine offers."""
    cur = _raw_cursor()
    if connection.vendor == "postgresql":
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def cheap_to_maintain(columns: Sequence[str]) -> bool:
    if not columns:
        return False  # an expression index (PostgreSQL's full-text vector)
    first, rest = columns[0], columns[1:]
    if first in IN_ORDER:
        return True
    return first in FEW_VALUES and (not rest or rest[0] in IN_ORDER)


def load_spec(cur: Any, d: Dialect, tables: Iterable[Table]) -> None:
    """The spec tables as temporary tables, and the empty stage."""
    for table in tables:
        cur.execute(f"DROP TABLE IF EXISTS {table.name}")
        cur.execute(sqlgen.create_table(table, d))
        columns = [c for c, _ in table.columns]
        if d.pg:
            with cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in table.rows:
                    copy.write_row(row)
            cur.execute(f"ANALYZE {table.name}")
        else:
            marks = ", ".join("?" * len(columns))
            cur.executemany(f"INSERT INTO {table.name} VALUES ({marks})", table.rows)
    cur.execute("DROP TABLE IF EXISTS demo_stage")
    cur.execute(sqlgen.create_stage(d))


def _drop_spec(cur: Any, spec: Spec) -> None:
    for name in [*spec.tables, "demo_stage"]:
        cur.execute(f"DROP TABLE IF EXISTS {name}")


def contact_columns(d: Dialect, source: str) -> dict[str, str]:
    """The generator's expressions, plus the model default of any column it
    does not know (a field added later must not break the demo)."""
    columns = sqlgen.contact_columns(d, source)
    for f in Contact._meta.concrete_fields:
        if f.column not in columns:
            columns[f.column] = sqlgen.literal(f.get_db_prep_save(f.get_default(), connection))
    return columns


class Loader:
    """Runs the generator's statements for one engine."""

    def __init__(self, progress: Progress) -> None:
        self.d = dialect()
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.cpu: dict[str, float] = {}  # this thread's CPU time per step
        self._clock, self._cpu = time.perf_counter(), time.thread_time()

    def _step(self, label: str, key: str | None = None) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        key = key or label
        self.timings[key] = round(self.timings.get(key, 0.0) + now - self._clock, 3)
        self.cpu[key] = round(self.cpu.get(key, 0.0) + cpu - self._cpu, 3)
        self.progress(f"{label} (cpu {cpu - self._cpu:.1f}s)")
        self._clock, self._cpu = now, cpu

    def load(self, spec: Spec, *, bulk: bool, fts_worker: bool) -> dict[str, float]:
        """Insert the contacts of `spec` and their rows. `bulk` drops and
        rebuilds the costly indexes (and, on SQLite, the full-text
        triggers); `fts_worker` builds the SQLite full-text index in a
        parallel thread (only right for a table that was empty)."""
        if self.d.pg:
            self._load_postgresql(spec, bulk)
        else:
            self._load_sqlite(spec, bulk, fts_worker and bulk)
        return self.timings

    # --- SQLite ------------------------------------------------------------
    def _load_sqlite(self, spec: Spec, bulk: bool, parallel: bool) -> None:
        cur = _raw_cursor()
        saved: dict[str, Any] = {}
        if bulk and not connection.in_atomic_block:
            # For this load only; foreign keys can only be switched outside
            # a transaction.
            for pragma, value in (
                ("foreign_keys", "OFF"),
                ("synchronous", "OFF"),
                ("cache_size", "-262144"),
                ("temp_store", "MEMORY"),
            ):
                saved[pragma] = cur.execute(f"PRAGMA {pragma}").fetchone()[0]
                cur.execute(f"PRAGMA {pragma}={value}")
        worker = None
        scratch: list[str] = []
        attached: list[str] = []
        if parallel:
            for kind in ("documents", "index"):
                fd, path = tempfile.mkstemp(prefix=f"relance-demo-{kind}-", suffix=".sqlite3")
                os.close(fd)
                scratch.append(path)
            worker = fts.FtsWorker(spec, *scratch)
            worker.start()
        try:
            with transaction.atomic():
                cur = _raw_cursor()
                indexes: list[tuple[str, str]] = []
                if bulk:
                    for sql in fts.trigger_sql():
                        cur.execute(f"DROP TRIGGER IF EXISTS {fts.trigger_name(sql)}")
                    indexes = self._drop_sqlite_indexes(cur)
                documents = ""
                if worker:
                    self._insert_children(cur, spec)
                    worker.documents_ready.wait()
                    if worker.error:
                        raise worker.error
                    # A name of its own each time: inside a test's
                    # transaction it cannot be detached.
                    alias = f"demo_docs_{next(_aliases)}"
                    cur.execute(f"ATTACH DATABASE ? AS {alias}", (scratch[0],))
                    attached.append(alias)
                    documents = f"{alias}.{fts.DOCUMENTS}"
                    self._insert_contacts(cur, spec, documents)
                else:
                    self._insert_contacts(cur, spec, "")
                    self._insert_children(cur, spec)
                for _name, sql in indexes:
                    cur.execute(sql)
                if indexes:
                    self._step("indexes")
                if worker:
                    worker.join()
                    if worker.error:
                        raise worker.error
                    self._step(
                        f"full-text index (built in parallel in {worker.seconds:.1f}s,"
                        f" its cpu {worker.cpu:.1f}s)",
                        "waiting for the full-text index",
                    )
                    alias = f"demo_fts_{next(_aliases)}"
                    cur.execute(f"ATTACH DATABASE ? AS {alias}", (scratch[1],))
                    attached.append(alias)
                    for name in fts.FTS_SHADOWS:
                        cur.execute(f"DELETE FROM main.{name}")
                        cur.execute(f"INSERT INTO main.{name} SELECT * FROM {alias}.{name}")
                    self._step("full-text index copied")
                elif bulk:
                    cur.execute(f"INSERT INTO {fts.FTS_TABLE}({fts.FTS_TABLE}) VALUES('rebuild')")
                    self._step("full-text index")
                if bulk:
                    for sql in fts.trigger_sql():
                        cur.execute(sql)
                    # Sampled statistics: exact ones would read every row again.
                    cur.execute("PRAGMA analysis_limit=2000")
                    for table in BULK_TABLES:
                        cur.execute(f"ANALYZE {table}")
                    cur.execute("PRAGMA analysis_limit=0")
                    self._step("statistics")
                _drop_spec(cur, spec)
        finally:
            if worker and worker.is_alive():
                worker.join()
            cur = _raw_cursor()
            if not connection.in_atomic_block:
                for pragma, value in saved.items():
                    cur.execute(f"PRAGMA {pragma}={value}")
                for alias in attached:
                    with contextlib.suppress(sqlite3.OperationalError):
                        cur.execute(f"DETACH DATABASE {alias}")
            for path in scratch:
                for suffix in ("", "-journal", "-wal", "-shm"):
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(path + suffix)
        if worker and not connection.in_atomic_block:
            # FTS5 caches an index's structure per connection: a fresh
            # connection reads the copied index.
            connection.close()

    def _drop_sqlite_indexes(self, cur: Any) -> list[tuple[str, str]]:
        placeholders = ", ".join("?" * len(BULK_TABLES))
        candidates = cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
            f" AND sql IS NOT NULL AND tbl_name IN ({placeholders})",
            BULK_TABLES,
        ).fetchall()
        dropped = []
        for name, sql in candidates:
            info = cur.execute(f'PRAGMA index_info("{name}")').fetchall()
            if not cheap_to_maintain([row[2] for row in info]):
                dropped.append((name, sql))
                cur.execute(f'DROP INDEX "{name}"')
        return dropped

    # --- PostgreSQL ---------------------------------------------------------
    def _load_postgresql(self, spec: Spec, bulk: bool) -> None:
        with transaction.atomic():
            # Fire any deferred foreign-key checks already queued by the
            # enclosing transaction: PostgreSQL refuses index changes on a
            # table with pending trigger events.
            connection.check_constraints()
            cur = _raw_cursor()
            cur.execute("SET LOCAL synchronous_commit = off")
            cur.execute("SET LOCAL work_mem = '256MB'")
            cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            superuser = bool((cur.fetchone() or [False])[0])
            if bulk and superuser:
                # Foreign keys stay declared; the generated ids are consistent
                # by construction, so per-row trigger checks are skipped.
                cur.execute("SET LOCAL session_replication_role = replica")
            indexes: list[str] = []
            constraints: list[tuple[str, str, str]] = []
            if bulk:
                indexes, constraints = self._drop_pg_indexes(cur)
            self._insert_contacts(cur, spec, "")
            self._insert_children(cur, spec)
            for table, name, definition in constraints:
                cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for definition in indexes:
                cur.execute(definition)
            if bulk:
                self._step("indexes")
            with connection.cursor() as c:
                models = [apps.get_model("contacts", name) for name in BULK_MODELS]
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    c.execute(sql)
            for table in BULK_TABLES:
                cur.execute(f"ANALYZE {table}")
            _drop_spec(cur, spec)
            self._step("statistics")

    def _drop_pg_indexes(self, cur: Any) -> tuple[list[str], list[tuple[str, str, str]]]:
        """Secondary indexes and unique constraints of the bulk tables that
        are costly to maintain row by row (never primary or foreign keys),
        dropped after reading their definitions."""
        columns = """(SELECT array_agg(a.attname::text ORDER BY k.ord)
                      FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum)"""
        cur.execute(
            f"""SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), {columns},
                       i.indnkeyatts, c.conname, i.indrelid::regclass::text,
                       pg_get_constraintdef(c.oid)
               FROM pg_index i
               LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
               WHERE i.indrelid = ANY(%s::regclass[]) AND (c.oid IS NULL OR c.contype = 'u')
               ORDER BY i.indexrelid""",
            (list(BULK_TABLES),),
        )
        indexes: list[str] = []
        constraints: list[tuple[str, str, str]] = []
        for name, definition, cols, nkeys, conname, table, condef in cur.fetchall():
            # An expression key (attnum 0) has no column: treat it as costly.
            if cols and len(cols) >= nkeys and cheap_to_maintain(cols[:nkeys]):
                continue
            if conname:
                constraints.append((table, conname, condef))
                cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{conname}"')
            else:
                indexes.append(definition)
                cur.execute(f"DROP INDEX {name}")
        return indexes, constraints

    # --- both ---------------------------------------------------------------
    def _stage(self, cur: Any, spec: Spec) -> None:
        if "stage" in self.timings:
            return
        load_spec(cur, self.d, spec.tables.values())
        cur.execute(sqlgen.stage_sql(spec.keys))
        if self.d.pg:
            cur.execute("ANALYZE demo_stage")
        self._step("generated", "stage")

    def _insert_contacts(self, cur: Any, spec: Spec, documents: str) -> None:
        self._stage(cur, spec)
        columns = contact_columns(self.d, DEMO_SOURCE)
        first, last = spec.start_id, spec.start_id + spec.count - 1
        step = max(1, -(-spec.count // SLICES))
        for low in range(first, last + 1, step):
            high = min(last, low + step - 1)
            cur.execute(sqlgen.contacts_sql(columns, low, high, documents))
            self._step(f"contacts {high - first + 1:,}/{spec.count:,}", "contacts")

    def _insert_children(self, cur: Any, spec: Spec) -> None:
        self._stage(cur, spec)
        for label, sql in (
            ("e-mails", sqlgen.emails_sql()),
            ("phones", sqlgen.phones_sql()),
            ("beats", sqlgen.beats_sql()),
            ("relationships", sqlgen.relationships_sql()),
        ):
            cur.execute(sql)
            self._step(label)

"""Loading the generated contacts on SQLite and PostgreSQL.

For big builds the indexes that would be maintained at random places are
dropped and rebuilt after the load (a sort is cheaper than a million random
insertions), from their definitions as read back from the database, and the
second core does its share:

* SQLite (one transaction: a crash leaves the base as it was): the page
  cache holds the whole load and a rollback journal replaces the WAL for
  its duration (pages written once, no checkpoint). The full-text triggers
  are dropped and created again from their own SQL after the load; the
  full-text index is built in parallel by `relance.demo.fts` (or, when the
  table already held contacts, filled in one statement at the end).
  Foreign keys are not re-checked row by row (every id is generated
  consistent).
* PostgreSQL: foreign-key triggers are skipped the same way when the role
  may (session_replication_role); every secondary index is rebuilt after
  the load, with a larger maintenance_work_mem. The contacts load in this
  session while a second one (`relance.demo.pgworker`) fills the other
  tables; the two transactions commit one right after the other.
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
from relance.demo import DEMO_SOURCE, clock, fts, pgworker, scratch, sqlgen
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
# Indexes SQLite keeps (maintained row by row) during a bulk load: those whose keys
# arrive in order (contact ids ascend; contacts come grouped by outlet) or
# take a few values (each insertion lands on one of a few hot pages; the
# demo's dates come from a pool of a thousand). The others (names, e-mail
# addresses) would touch a random page per row: they are rebuilt by a sort.
IN_ORDER = frozenset({"id", "contact_id", "outlet_id", "show_id"})
FEW_VALUES = frozenset(
    {"beat_id", "user_id", "created_by_id", "opted_out", "language", "updated_at"}
)
# SQLite page cache bounds during a bulk load (KiB; memory is only taken
# as pages are used).
CACHE_MIN_KIB, CACHE_MAX_KIB = 256 * 1024, 4 * 1024 * 1024
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


def cache_kib(contacts: int) -> int:
    """SQLite page cache for a bulk load: about 1.1 KiB per contact end up in
    the database (rows, indexes, full-text index), with room to spare."""
    return min(CACHE_MAX_KIB, max(CACHE_MIN_KIB, contacts * 2))


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


def drop_spec(cur: Any, spec: Spec) -> None:
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


def stage(cur: Any, d: Dialect, spec: Spec) -> None:
    """The spec tables and the stage (one row per new contact), in this
    session."""
    load_spec(cur, d, spec.tables.values())
    cur.execute(sqlgen.stage_sql(spec.keys))
    if d.pg:
        cur.execute("ANALYZE demo_stage")


def children_sql() -> list[tuple[str, str]]:
    return [
        ("e-mails", sqlgen.emails_sql()),
        ("phones", sqlgen.phones_sql()),
        ("beats", sqlgen.beats_sql()),
        ("relationships", sqlgen.relationships_sql()),
    ]


def pg_session_settings(cur: Any, *, replica: bool) -> None:
    """For the current transaction only."""
    cur.execute("SET LOCAL synchronous_commit = off")
    cur.execute("SET LOCAL work_mem = '256MB'")
    cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
    if replica:
        # Foreign keys stay declared; the generated ids are consistent by
        # construction, so per-row trigger checks are skipped.
        cur.execute("SET LOCAL session_replication_role = replica")


def drop_pg_indexes(
    cur: Any, tables: Sequence[str]
) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Secondary indexes and unique constraints of `tables` (never primary
    or foreign keys), dropped after reading their definitions. All of them,
    even those SQLite keeps (`cheap_to_maintain`): on PostgreSQL every index
    entry inserted is also a WAL record, while an index built after the load
    is written once, in bulk."""
    cur.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
                  c.conname, i.indrelid::regclass::text, pg_get_constraintdef(c.oid)
           FROM pg_index i
           LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
           WHERE i.indrelid = ANY(%s::regclass[]) AND (c.oid IS NULL OR c.contype = 'u')
           ORDER BY i.indexrelid""",
        (list(tables),),
    )
    indexes: list[str] = []
    constraints: list[tuple[str, str, str]] = []
    for name, definition, conname, table, condef in cur.fetchall():
        if conname:
            constraints.append((table, conname, condef))
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{conname}"')
        else:
            indexes.append(definition)
            cur.execute(f"DROP INDEX {name}")
    return indexes, constraints


def restore_pg_indexes(
    cur: Any, indexes: list[str], constraints: list[tuple[str, str, str]]
) -> None:
    for table, name, definition in constraints:
        cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for definition in indexes:
        cur.execute(definition)


class Loader:
    """Runs the generator's statements for one engine."""

    def __init__(self, progress: Progress) -> None:
        self.d = dialect()
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.cpu: dict[str, float] = {}  # this thread's CPU time per step
        self.server_cpu: dict[str, float] = {}  # the PostgreSQL backend's
        self._clock, self._cpu = time.perf_counter(), time.thread_time()
        self._server: int | None = None  # PostgreSQL backend pid, when local
        self._server_cpu = 0.0

    def _step(self, label: str, key: str | None = None) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        key = key or label
        self.timings[key] = round(self.timings.get(key, 0.0) + now - self._clock, 3)
        self.cpu[key] = round(self.cpu.get(key, 0.0) + cpu - self._cpu, 3)
        # Per key: the contacts slices show their running total.
        note = f"cpu {self.cpu[key]:.1f}s"
        server = clock.process_cpu(self._server)
        if server is not None:
            spent = self.server_cpu.get(key, 0.0) + server - self._server_cpu
            self.server_cpu[key] = round(spent, 3)
            note += f", server cpu {spent:.1f}s"
            self._server_cpu = server
        self.progress(f"{label} ({note})")
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
            # For this load only; foreign keys and the journal can only be
            # switched outside a transaction. A rollback journal instead of
            # the WAL: the new pages are written once, into the database
            # (appended pages need no journal), not to the WAL and then
            # checkpointed. A cache that holds the whole load: a smaller one
            # spills dirty pages half-way and reads them back. Helper
            # threads sort for CREATE INDEX.
            for pragma, value in (
                ("foreign_keys", "OFF"),
                ("journal_mode", "DELETE"),
                ("synchronous", "OFF"),
                ("cache_size", str(-cache_kib(spec.count))),
                ("temp_store", "MEMORY"),
                ("threads", "2"),
            ):
                saved[pragma] = cur.execute(f"PRAGMA {pragma}").fetchone()[0]
                cur.execute(f"PRAGMA {pragma}={value}")
        worker: fts.FtsWorker | None = None
        paths: list[str] = []
        attached: list[str] = []
        # Without a full-text index it can fill in bulk, the load keeps the
        # triggers (and indexes row by row).
        index = fts.read_schema(cur) if bulk else None
        if parallel and index:
            for kind in ("documents", "index"):
                fd, path = tempfile.mkstemp(prefix=f"relance-demo-{kind}-", suffix=".sqlite3")
                os.close(fd)
                paths.append(path)
            columns = contact_columns(self.d, DEMO_SOURCE)
            worker = fts.FtsWorker(spec, index, columns, *paths)
            worker.start()
        try:
            with transaction.atomic():
                cur = _raw_cursor()
                indexes: list[tuple[str, str]] = []
                if index:
                    for name, _sql in index.triggers:
                        cur.execute(f'DROP TRIGGER "{name}"')
                if bulk:
                    indexes = self._drop_sqlite_indexes(cur)
                if worker:
                    self._insert_children(cur, spec)
                    worker.documents_ready.wait()
                    if worker.error:
                        raise worker.error
                    alias = self._attach(cur, paths[0], attached)
                    self._insert_contacts(cur, spec, f"{alias}.{fts.CONTENT_TABLE}")
                else:
                    self._insert_contacts(cur, spec)
                    self._insert_children(cur, spec)
                for _name, sql in indexes:
                    cur.execute(sql)
                if indexes:
                    self._step("indexes")
                if worker:
                    worker.join()
                    if worker.error:
                        raise worker.error
                    phases = "".join(f", {k} {v:.1f}s" for k, v in worker.phases.items())
                    self._step(
                        f"full-text index (built in parallel in {worker.seconds:.1f}s,"
                        f" its cpu {worker.cpu:.1f}s{phases})",
                        "waiting for the full-text index",
                    )
                    alias = self._attach(cur, paths[1], attached)
                    for name in fts.shadow_tables(cur, alias):
                        cur.execute(f"DELETE FROM main.{name}")
                        cur.execute(f"INSERT INTO main.{name} SELECT * FROM {alias}.{name}")
                    self._step("full-text index copied")
                elif index:
                    # What the insert trigger would have done, for the new rows.
                    cur.execute(index.index_sql(f"WHERE new.id >= {spec.start_id}"))
                    self._step("full-text index")
                if index:
                    for _name, sql in index.triggers:
                        cur.execute(sql)
                if bulk:
                    # Sampled statistics: exact ones would read every row again.
                    cur.execute("PRAGMA analysis_limit=2000")
                    for table in BULK_TABLES:
                        cur.execute(f"ANALYZE {table}")
                    cur.execute("PRAGMA analysis_limit=0")
                    self._step("statistics")
                drop_spec(cur, spec)
            self._step("commit")
        finally:
            if worker:
                worker.join()
            cur = _raw_cursor()
            if not connection.in_atomic_block:
                for pragma, value in saved.items():
                    cur.execute(f"PRAGMA {pragma}={value}")
                for alias in attached:
                    with contextlib.suppress(sqlite3.OperationalError):
                        cur.execute(f"DETACH DATABASE {alias}")
            for path in paths:
                for suffix in ("", "-journal", "-wal", "-shm"):
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(path + suffix)
        if worker and not connection.in_atomic_block:
            # FTS5 caches an index's structure per connection: a fresh
            # connection reads the copied index.
            connection.close()

    def _attach(self, cur: Any, path: str, attached: list[str]) -> str:
        """Attach a scratch database under a new alias (inside a test's
        transaction a database cannot be detached)."""
        alias = f"demo_scratch_{next(_aliases)}"
        cur.execute(f"ATTACH DATABASE ? AS {alias}", (path,))
        attached.append(alias)
        cur.execute(f"PRAGMA {alias}.mmap_size = {scratch.MMAP}")
        return alias

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
        # The children in a second session (a second core) for a bulk load
        # outside any enclosing transaction (whose rows that session could
        # not see), when per-row foreign-key checks may be skipped.
        session: pgworker.ChildrenSession | None = None
        outer = connection.in_atomic_block
        committed = False
        try:
            with transaction.atomic():
                # Fire any deferred foreign-key checks already queued by the
                # enclosing transaction: PostgreSQL refuses index changes on a
                # table with pending trigger events.
                connection.check_constraints()
                cur = _raw_cursor()
                self._server = clock.backend_pid(cur)
                self._server_cpu = clock.process_cpu(self._server) or 0.0
                cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                superuser = bool((cur.fetchone() or [False])[0])
                pg_session_settings(cur, replica=bulk and superuser)
                if bulk and superuser and not outer:
                    session = pgworker.ChildrenSession(spec, BULK_TABLES[1:], BULK_MODELS[1:])
                    session.start()
                tables = BULK_TABLES[:1] if session else BULK_TABLES
                indexes: list[str] = []
                constraints: list[tuple[str, str, str]] = []
                if bulk:
                    indexes, constraints = drop_pg_indexes(cur, tables)
                self._insert_contacts(cur, spec)
                if not session:
                    self._insert_children(cur, spec)
                # Deferred foreign-key checks queued by the load (a role that
                # may not skip them) must run before an index can be built.
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                restore_pg_indexes(cur, indexes, constraints)
                if bulk:
                    self._step("indexes")
                with connection.cursor() as c:
                    names = BULK_MODELS[:1] if session else BULK_MODELS
                    models = [apps.get_model("contacts", name) for name in names]
                    for sql in connection.ops.sequence_reset_sql(no_style(), models):
                        c.execute(sql)
                for table in tables:
                    cur.execute(f"ANALYZE {table}")
                drop_spec(cur, spec)
                self._step("statistics")
                if session:
                    session.ready.wait()
                    if session.error:
                        raise session.error
                    done = ", ".join(f"{k} {v:.1f}s" for k, v in session.timings.items())
                    if session.server_cpu is not None:
                        done += f"; its server cpu {session.server_cpu:.1f}s"
                    self._step(
                        f"other tables (parallel session: {done})",
                        "waiting for the parallel session",
                    )
            committed = True
        finally:
            if session:
                session.finish(commit=committed)
        if session and session.error:
            raise RuntimeError(
                "the demo contacts were committed but their e-mails, phones, beats and "
                f"relationships were not: {session.error}"
            ) from session.error
        self._step("commit")

    # --- both ---------------------------------------------------------------
    def _stage(self, cur: Any, spec: Spec) -> None:
        if "stage" in self.timings:
            return
        stage(cur, self.d, spec)
        self._step("generated", "stage")

    def _insert_contacts(self, cur: Any, spec: Spec, documents: str = "") -> None:
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
        for label, sql in children_sql():
            cur.execute(sql)
            self._step(label)

"""The SQLite full-text index of a big demo build, on the second core.

The index is whatever the migrations made of it (its definition and its
triggers are read back from the database, never assumed): during a bulk
load the triggers are dropped and, after the load, created again from their
own SQL, and the new contacts are indexed in one statement that does what
the AFTER INSERT trigger does for each row (`Schema.index_sql`).

FTS5 tokenising is the single most expensive part of loading a million
contacts into SQLite, and nothing else in the load needs it. A thread, with
scratch databases of its own (`relance.demo.scratch`):

1. generates the new contacts' columns that the index reads (the same SQL
   as the main load; the search document among them) into the first, and
   commits: the main thread copies the documents from there into
   `contacts_contact` instead of computing them a second time;
2. creates the full-text table in the second, with the real one's
   definition, indexes the contacts of the first (a table named like the
   real one, as the index's definition and triggers name it) in rowid
   order, and runs 'optimize' (no merging while building, one merge at the
   end: about half the work of the default incremental merges).

The main thread then copies the index's shadow tables (all but the settings
in `_config`) into the real database, in its own transaction. SQLite
releases the GIL while a statement runs, so both threads really run at
once; the two files let the main thread read the first while this thread
writes the second.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from relance.demo import scratch, sqlgen
from relance.demo.spec import Spec

FTS_TABLE = "contacts_contact_fts"
CONTENT_TABLE = "contacts_contact"
_VALUES = re.compile(r"^\s*INSERT\s+INTO\s+(.+?)\s+VALUES\s*\((.*)\)\s*;?\s*$", re.I | re.S)
_BODY = re.compile(r"\bBEGIN\b(.*)\bEND\s*$", re.I | re.S)


@dataclass
class Schema:
    """The full-text table and the contacts table's triggers, as stored."""

    create: str
    triggers: list[tuple[str, str]]  # (name, CREATE TRIGGER …)
    index: str  # INSERT … SELECT … FROM contacts_contact AS new

    def index_sql(self, where: str = "") -> str:
        # In rowid order: FTS5 writes out its pending terms whenever a rowid
        # is not above the previous one, which for rowids in any other
        # order (a rank) means a tiny segment per row.
        rowid = rowid_sql(self.index)
        order = f" ORDER BY {rowid}" if rowid else ""
        return f"{self.index} {where}".rstrip() + order


def read_schema(cur: Any) -> Schema | None:
    """None if the database has no full-text table, or one this module
    cannot index in bulk (then the triggers stay during the load)."""
    row = cur.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (FTS_TABLE,)
    ).fetchone()
    triggers = cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name",
        (CONTENT_TABLE,),
    ).fetchall()
    on_insert = [sql for _, sql in triggers if re.search(r"\bAFTER\s+INSERT\b", sql, re.I)]
    if row is None or len(on_insert) != 1:
        return None
    index = index_from_trigger(on_insert[0])
    return Schema(row[0], [tuple(t) for t in triggers], index) if index else None


def index_from_trigger(trigger: str) -> str | None:
    """`INSERT INTO fts(…) VALUES (…new.x…)` run by the trigger for one row,
    as `INSERT INTO fts(…) SELECT …new.x… FROM contacts_contact AS new` for
    many (add a WHERE on `new`)."""
    body = _BODY.search(trigger)
    statements = [s for s in (body.group(1).split(";") if body else []) if s.strip()]
    if len(statements) != 1:
        return None
    match = _VALUES.match(statements[0])
    if not match:
        return None
    target, values = match.groups()
    return f"INSERT INTO {target} SELECT {values} FROM {CONTENT_TABLE} AS new"


def rowid_sql(index: str) -> str | None:
    """The expression `index_sql` stores as the rowid (in terms of `new`, a
    contacts row): the contact id, or what the migrations made of it."""
    match = re.match(r"INSERT INTO \S+?\s*\((.*?)\)\s*SELECT (.*) FROM ", index, re.S)
    if not match:
        return None
    columns = [c.strip().strip('"').lower() for c in match.group(1).split(",")]
    values = _split_top_level(match.group(2))
    if "rowid" not in columns or len(values) != len(columns):
        return None
    return values[columns.index("rowid")]


def _split_top_level(values: str) -> list[str]:
    """`a, f(b, c), 'd,e'` -> ["a", "f(b, c)", "'d,e'"]."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(values):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(values[start:i].strip())
            start = i + 1
    parts.append(values[start:].strip())
    return parts


def columns_read(index: str) -> list[str]:
    """The contacts columns `index_sql` reads, id first."""
    names = dict.fromkeys(["id", *re.findall(r"\bnew\.\"?(\w+)", index)])
    return list(names)


def shadow_tables(cur: Any, schema: str = "main") -> list[str]:
    """The tables holding the index itself (not its settings)."""
    rows = cur.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name GLOB ?"
        " AND name <> ? ORDER BY name",
        (f"{FTS_TABLE}_*", f"{FTS_TABLE}_config"),
    ).fetchall()
    return [name for (name,) in rows]


class FtsWorker(threading.Thread):
    """`columns`: the generator's expressions for the contacts columns."""

    def __init__(
        self, spec: Spec, schema: Schema, columns: dict[str, str], documents: str, index: str
    ) -> None:
        super().__init__(name="demo-fts", daemon=True)
        self.spec, self.schema = spec, schema
        read = columns_read(schema.index)
        if "search_document" not in read:
            read.append("search_document")
        self.columns = {c: columns[c] for c in read}
        self.documents_path, self.index_path = documents, index
        self.documents_ready = threading.Event()
        self.error: BaseException | None = None
        self.seconds = 0.0
        self.cpu = 0.0
        self.phases: dict[str, float] = {}  # CPU seconds per phase

    def run(self) -> None:
        start = time.perf_counter()
        self._mark = cpu = time.thread_time()
        try:
            self._documents()
            self.documents_ready.set()
            self._index()
        except BaseException as exc:  # re-raised by the main thread
            self.error = exc
        finally:
            self.documents_ready.set()
            self.seconds = time.perf_counter() - start
            self.cpu = time.thread_time() - cpu

    def _phase(self, name: str) -> None:
        now = time.thread_time()
        self.phases[name] = round(now - self._mark, 2)
        self._mark = now

    def _table(self) -> str:
        typed = ", ".join("id INTEGER PRIMARY KEY" if c == "id" else f'"{c}"' for c in self.columns)
        return f"CREATE TABLE {CONTENT_TABLE} ({typed})"

    def _documents(self) -> None:
        # Imported here: bulk imports this module.
        from relance.demo.bulk import load_spec

        wrapper, con = scratch.connect(self.documents_path)
        try:
            cur = con.cursor()
            cur.execute("BEGIN")
            load_spec(cur, sqlgen.Dialect("sqlite"), self.spec.tables.values())
            cur.execute(sqlgen.stage_sql(self.spec.keys))
            self._phase("stage")
            cur.execute(self._table())
            first = self.spec.start_id
            cur.execute(sqlgen.contacts_sql(self.columns, first, first + self.spec.count - 1))
            cur.execute("COMMIT")
            self._phase("documents")
        finally:
            wrapper.close()

    def _index(self) -> None:
        wrapper, con = scratch.connect(self.index_path)
        try:
            cur = con.cursor()
            # The documents are read where they are: the unqualified table
            # name in `index_sql` finds the attached one.
            cur.execute("ATTACH DATABASE ? AS documents", (self.documents_path,))
            cur.execute(f"PRAGMA documents.mmap_size = {scratch.MMAP}")
            cur.execute("BEGIN")
            cur.execute(self.schema.create)
            fts = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES"
            cur.execute(f"{fts} ('automerge', 0)")
            cur.execute(f"{fts} ('crisismerge', 1000)")
            cur.execute(self.schema.index_sql())
            cur.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('optimize')")
            cur.execute("COMMIT")
            self._phase("index")
        finally:
            wrapper.close()

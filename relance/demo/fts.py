"""The SQLite full-text index of a big demo build, on the second core.

FTS5 tokenising is the single most expensive part of loading a million
contacts into SQLite, and nothing else in the load needs it. A thread opens
its own scratch database and:

1. generates the new contacts' documents there (the same SQL as the main
   load) and commits them: the main thread copies them into
   `contacts_contact` instead of computing them a second time;
2. creates the full-text table exactly as migration 0002 does, over that
   table of documents, and runs 'rebuild' then 'optimize' (no merging while
   building, one merge at the end: about half the work of the default
   incremental merges).

The main thread then copies the index's shadow tables (`_data`, `_idx`,
`_docsize`, not the settings in `_config`) into the real database, in its
own transaction. SQLite releases the GIL while a statement runs, so both
threads really run at once. Documents and index live in two scratch files:
the main thread reads the first while this thread writes the second, and
attaches each once.
"""

from __future__ import annotations

import importlib
import sqlite3
import threading
import time

from relance.demo import sqlgen
from relance.demo.spec import Spec

FTS_TABLE = "contacts_contact_fts"
# The shadow tables holding the index itself.
FTS_SHADOWS = tuple(f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "docsize"))
# In the scratch database, the documents table has the content table's name
# so that the migration's CREATE VIRTUAL TABLE runs unchanged.
DOCUMENTS = "contacts_contact"

_fulltext = importlib.import_module("relance.contacts.migrations.0002_fulltext")


def create_sql() -> str:
    return next(s for s in _fulltext.SQLITE_UP if "CREATE VIRTUAL TABLE" in s)


def trigger_sql() -> list[str]:
    """The migration's own trigger definitions (dropped during a bulk load)."""
    return [s for s in _fulltext.SQLITE_UP if s.lstrip().upper().startswith("CREATE TRIGGER")]


def trigger_name(sql: str) -> str:
    return sql.split()[2]


class FtsWorker(threading.Thread):
    def __init__(self, spec: Spec, documents_path: str, index_path: str) -> None:
        super().__init__(name="demo-fts", daemon=True)
        self.spec = spec
        self.documents_path, self.index_path = documents_path, index_path
        self.documents_ready = threading.Event()
        self.error: BaseException | None = None
        self.seconds = 0.0
        self.cpu = 0.0

    def run(self) -> None:
        start, cpu = time.perf_counter(), time.thread_time()
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

    def _connect(self, path: str) -> sqlite3.Connection:
        con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=MEMORY"):
            con.execute(f"PRAGMA {pragma}")
        con.execute("PRAGMA cache_size=-262144")
        return con

    def _documents(self) -> None:
        # Imported here: bulk imports this module.
        from relance.demo.bulk import load_spec

        con = self._connect(self.documents_path)
        try:
            cur = con.cursor()
            cur.execute("BEGIN")
            load_spec(cur, sqlgen.Dialect("sqlite"), self.spec.tables.values())
            cur.execute(sqlgen.stage_sql(self.spec.keys))
            cur.execute(
                f"CREATE TABLE {DOCUMENTS} (id INTEGER PRIMARY KEY, search_document TEXT NOT NULL)"
            )
            cur.execute(sqlgen.documents_sql(DOCUMENTS))
            cur.execute("COMMIT")
        finally:
            con.close()

    def _index(self) -> None:
        con = self._connect(self.index_path)
        try:
            cur = con.cursor()
            cur.execute("ATTACH DATABASE ? AS documents", (self.documents_path,))
            cur.execute("BEGIN")
            cur.execute(
                f"CREATE TABLE {DOCUMENTS} (id INTEGER PRIMARY KEY, search_document TEXT NOT NULL)"
            )
            cur.execute(f"INSERT INTO main.{DOCUMENTS} SELECT * FROM documents.{DOCUMENTS}")
            cur.execute(create_sql())
            fts = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES"
            cur.execute(f"{fts} ('automerge', 0)")
            cur.execute(f"{fts} ('crisismerge', 1000)")
            cur.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('rebuild')")
            cur.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('optimize')")
            cur.execute("COMMIT")
        finally:
            con.close()

"""The PostgreSQL rows that hang off the contacts, in a second session.

One PostgreSQL session uses one core. While the main session inserts the
contacts (the stored tsvector makes it the heaviest table) and builds their
indexes, a thread fills e-mails, phones, beats and relationships through its
own connection, with its own copy of the spec tables, in its own
transaction, and rebuilds their indexes. The two transactions end together:

1. the thread does all its work, then reports `ready` and waits;
2. the main session, once it has done its own work and seen `ready`,
   commits; if anything failed on either side, both roll back;
3. the thread commits right after (`finish(commit=True)`).

Only a crash between the two commits (a few milliseconds) could leave
contacts without their e-mails and phones. The thread's rows reference
contacts it cannot see yet, so it runs with session_replication_role =
replica (per-row foreign-key checks skipped, as in the main session): the
main session starts it only when its role may do that.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from relance.demo import clock
from relance.demo.spec import Spec


class ChildrenSession(threading.Thread):
    def __init__(self, spec: Spec, tables: tuple[str, ...], models: tuple[str, ...]) -> None:
        super().__init__(name="demo-children", daemon=True)
        self.spec = spec
        self.tables, self.models = tables, models
        self.ready = threading.Event()
        self._decided = threading.Event()
        self._commit = False
        self.error: BaseException | None = None
        self.timings: dict[str, float] = {}
        self.server_cpu: float | None = None  # its server process's CPU time

    def finish(self, *, commit: bool) -> None:
        """Let the thread commit (after the main session did) or roll back,
        and wait for it."""
        self._commit = commit
        self._decided.set()
        self.join()

    def run(self) -> None:
        wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            wrapper.ensure_connection()
            raw = wrapper.connection
            raw.autocommit = False
            try:
                self._load(raw.cursor(), wrapper.ops)
                self.ready.set()
                self._decided.wait()
                if self._commit:
                    raw.commit()
                else:
                    raw.rollback()
            except BaseException:
                raw.rollback()
                raise
        except BaseException as exc:  # re-raised by the main thread
            self.error = exc
        finally:
            self.ready.set()
            wrapper.close()

    def _load(self, cur: Any, ops: Any) -> None:
        # Imported here: bulk imports this module.
        from django.apps import apps
        from django.core.management.color import no_style

        from relance.demo import bulk

        started = time.perf_counter()
        server = clock.backend_pid(cur)
        server_start = clock.process_cpu(server)

        def step(label: str) -> None:
            nonlocal started
            now = time.perf_counter()
            self.timings[label] = round(now - started, 3)
            started = now
            end = clock.process_cpu(server)
            if end is not None and server_start is not None:
                self.server_cpu = end - server_start

        bulk.pg_session_settings(cur, replica=True)
        bulk.stage(cur, bulk.dialect(), self.spec)
        step("stage")
        indexes, constraints = bulk.drop_pg_indexes(cur, self.tables)
        for label, sql in bulk.children_sql():
            cur.execute(sql)
            step(label)
        bulk.restore_pg_indexes(cur, indexes, constraints)
        step("indexes")
        models = [apps.get_model("contacts", name) for name in self.models]
        for sql in ops.sequence_reset_sql(no_style(), models):
            cur.execute(sql)
        for table in self.tables:
            cur.execute(f"ANALYZE {table}")
        bulk.drop_spec(cur, self.spec)
        step("statistics")

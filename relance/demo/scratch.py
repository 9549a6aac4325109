"""Scratch SQLite databases for the threads of a big demo build.

SQLite has one writer per database: a thread that works while the main
thread loads the real database writes to a scratch database of its own,
which the main thread then attaches and reads.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

# Other connections read a scratch database through a memory map of up to
# this size (the largest SQLite allows by default): no copy of each page
# through a read() call.
MMAP = 0x7FFF0000


def connect(path: str) -> tuple[Any, sqlite3.Connection]:
    """A Relance connection (with the SQL functions the triggers and the
    full-text index may call) to a scratch database: nothing to recover
    after a crash, so no journal. Returns the Django wrapper (to close) and
    its sqlite3 connection. Call from the thread that uses it."""
    base = connections.create_connection(DEFAULT_DB_ALIAS)
    wrapper = type(base)({**base.settings_dict, "NAME": path}, "demo_scratch")
    wrapper.ensure_connection()
    con = wrapper.connection
    for pragma in (
        "journal_mode=OFF",
        "synchronous=OFF",
        "temp_store=MEMORY",
        "foreign_keys=OFF",
        "cache_size=-262144",
    ):
        con.execute(f"PRAGMA {pragma}")
    return wrapper, con

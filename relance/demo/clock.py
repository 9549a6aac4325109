"""CPU time of a PostgreSQL server process, for the build's progress lines.

The machine running a demo build is often shared: wall-clock step times
vary with the load, CPU times much less. The heavy work of a PostgreSQL
build happens in the server processes, so when the server runs on this
machine (and /proc is readable) the steps report its CPU time too.
"""

from __future__ import annotations

import os
from typing import Any

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def backend_pid(cur: Any) -> int | None:
    """The server process of this session, if it runs on this machine."""
    cur.execute("SELECT pg_backend_pid(), inet_server_addr()")
    pid, address = cur.fetchone()
    if address is not None and str(address) not in ("127.0.0.1", "::1"):
        return None
    return pid if process_cpu(pid) is not None else None


def process_cpu(pid: int | None) -> float | None:
    """User + system CPU seconds of a process, or None if unknown."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the command name: state is field 3, utime 14 and stime 15.
    return (int(fields[11]) + int(fields[12])) / _TICKS

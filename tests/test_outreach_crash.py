"""The crash test (issue 3): a real worker process sends 2,000 messages to a
real SMTP server on loopback, is killed with SIGKILL part-way, and is
started again. Then every message the server received was received once,
every row is either sent (received exactly once) or uncertain (received at
most once), and none is lost.

The worker is `relance db_worker` against a file-based SQLite database in a
temporary RELANCE_DATA_DIR (migrated for the test), so that it shares the
database with this process without pytest-django's transactions."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.bench_send import (
    RELANCE,
    ROOT,
    drop_database,
    environment,
    free_port,
    prepare,
    psycopg_connect,
    worker,
)

from .conftest import SmtpRecorder

COUNT = 2000
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


class MessageIds(SmtpRecorder):
    """Keeps only the Message-ID of each accepted message."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.ids.append(line.split(b":", 1)[1].strip().decode())
                break
        return "250 2.0.0 Ok"


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


# On SQLite always (a database file); on PostgreSQL too when the suite runs
# there (a database of its own), where claims use SELECT … FOR UPDATE SKIP LOCKED.
ENGINES = ["sqlite"] + (
    ["postgresql"] if os.environ.get("DATABASE_URL", "").startswith("postgres") else []
)


def read_back(env: dict[str, str], engine: str, tmp_path: Path):
    outbox = "SELECT message_id, state FROM outreach_outboxmessage"
    recipients = "SELECT state FROM campaigns_recipient"
    if engine == "sqlite":
        db = sqlite3.connect(tmp_path / "data" / "relance.sqlite3")
        try:
            return db.execute(outbox).fetchall(), db.execute(recipients).fetchall()
        finally:
            db.close()
    with psycopg_connect(env["DATABASE_URL"].rsplit("/", 1)[1]) as db:
        return db.execute(outbox).fetchall(), db.execute(recipients).fetchall()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_killed_worker_loses_nothing_and_sends_nothing_twice(engine, tmp_path: Path):
    from aiosmtpd.controller import Controller

    port = free_port()
    recorder = MessageIds()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    timeout = 3
    env = environment(
        tmp_path,
        engine,
        port,
        database=f"relance_crash_{os.getpid()}",
        RELANCE_SEND_BATCH_SIZE="40",
        RELANCE_SENDING_TIMEOUT_SECONDS=str(timeout),
    )
    log = tmp_path / "worker.log"
    try:
        campaign = prepare(env, COUNT)
        subprocess.run(
            [RELANCE, "send-campaign", str(campaign)],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        first = worker(env, batch=False, log=log)
        try:
            wait_for(lambda: len(recorder.ids) >= COUNT // 3, 60, "a third of the messages")
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.wait()
        at_kill = len(recorder.ids)
        assert at_kill < COUNT, "the worker finished before it could be killed"

        # Rows of the killed batch become stale after the timeout; the next
        # worker recovers them when it starts, then sends the rest and exits.
        time.sleep(timeout + 0.5)
        second = worker(env, batch=True, log=log)
        assert second.wait(timeout=90) == 0, log.read_text()[-3000:]
    finally:
        controller.stop()

    try:
        outbox, recipients = read_back(env, engine, tmp_path)
    finally:
        if engine == "postgresql":
            drop_database(env)
    rows = dict(outbox)
    recipient_states = Counter(state for (state,) in recipients)
    received = Counter(recorder.ids)
    states = Counter(rows.values())

    assert len(rows) == COUNT
    assert len(received) > at_kill // 2 and len(recorder.ids) >= at_kill
    # Nothing duplicated...
    assert [mid for mid, n in received.items() if n > 1] == []
    assert set(received) <= set(rows)
    # ...nothing lost: every row is sent or uncertain, nothing left behind.
    assert set(states) <= {"sent", "uncertain"}, states
    for message_id, state in rows.items():
        if state == "sent":
            assert received[message_id] == 1, message_id
    # One worker was killed, in one batch: at most one row was in the
    # middle of the SMTP exchange.
    assert states["uncertain"] <= 1, states
    assert recipient_states["sent"] == states["sent"]
    print(f"killed after {at_kill} received; {dict(states)}")

"""`relance serve`: the web app under gunicorn plus a task worker.

Production-style on one machine: gunicorn serves `relance.wsgi` (whitenoise
serves the static files) and `relance db_worker` runs the background tasks
(sends, feed polling…). Both are children of this command; Ctrl-C or
SIGTERM stops both cleanly, and if either dies the other is stopped too, so
the app never runs half-alive. More workers on other hosts: run
`relance db_worker` there against the same PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

# How long children get to finish their requests and tasks when stopped.
GRACE_SECONDS = 20


def default_workers() -> int:
    return max(2, min(4, os.cpu_count() or 1))


class Command(BaseCommand):
    help = "Serve the web app (gunicorn) and run a task worker until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--workers", type=int, default=default_workers(), help="gunicorn worker processes"
        )
        parser.add_argument(
            "--no-task-worker",
            action="store_true",
            help="serve only (task workers run elsewhere)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port, host, workers = options["port"], options["host"], options["workers"]
        if not 0 < port < 65536:
            raise CommandError(f"--port {port}: use a port between 1 and 65535.")
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        serve(host, port, workers, task_worker=not options["no_task_worker"], out=self.stdout)


def serve(host: str, port: int, workers: int, *, task_worker: bool = True, out: Any) -> None:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
    web = [
        sys.executable,
        "-m",
        "gunicorn",
        "relance.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--graceful-timeout",
        str(GRACE_SECONDS - 5),
        "--access-logfile",
        "-",
        # This command is the process manager; gunicorn's control socket (one
        # path per user) would clash between two instances on one machine.
        "--no-control-socket",
    ]
    tasks = [sys.executable, "-m", "relance.cli", "db_worker", "--queue-name", "*"]
    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    stopping = crashed = False

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    # Children get their own session so that Ctrl-C reaches only this
    # process, which then stops them in order instead of all at once.
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        children.append(("web server", subprocess.Popen(web, env=env, start_new_session=True)))
        if task_worker:
            worker = subprocess.Popen(tasks, env=env, start_new_session=True)
            children.append(("task worker", worker))
        out.write(f"Relance on http://{host}:{port}/ (Ctrl-C to stop)\n")
        out.flush()
        while not stopping:
            for name, child in children:
                if child.poll() is not None:
                    out.write(f"The {name} exited (status {child.returncode}); stopping.\n")
                    stopping = crashed = True
            time.sleep(0.2)
    finally:
        _terminate([child for _, child in children])
        for s, handler in previous.items():
            signal.signal(s, handler)
    if crashed:
        raise CommandError("the server stopped unexpectedly (see the log above).")


def _terminate(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()

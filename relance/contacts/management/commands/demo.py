"""`relance demo`: migrate, build the demo agency (idempotently), print the
logins, then serve it like `relance serve`.

    relance demo                         # 2,000 contacts, then serve on :8000
    relance demo --contacts 1000000 --no-serve
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from relance.demo.builder import BULK_THRESHOLD, DemoError, DemoResult, build_demo

MAX_CONTACTS = 5_000_000


class Command(BaseCommand):
    help = "Build the demo agency (fictitious media base) and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contacts", type=int, default=2000, help="default: 2000")
        parser.add_argument("--seed", type=int, default=42, help="default: 42")
        parser.add_argument("--no-serve", action="store_true", help="build, then exit")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
        parser.add_argument(
            "--strategy",
            choices=("auto", "simple", "bulk"),
            default="auto",
            help=f"load strategy (auto: bulk from {BULK_THRESHOLD} new contacts)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        contacts = options["contacts"]
        if not 1 <= contacts <= MAX_CONTACTS:
            raise CommandError(f"--contacts {contacts}: use 1 to {MAX_CONTACTS:,}.")
        verbosity = options["verbosity"]
        # A fresh data directory needs its tables; `make demo` migrates too.
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        started = time.perf_counter()
        loud = verbosity >= 2 or contacts >= BULK_THRESHOLD

        def progress(label: str) -> None:
            if loud:
                sys.stderr.write(f"  {time.perf_counter() - started:7.1f}s  {label}\n")
                sys.stderr.flush()

        if loud:
            sys.stderr.write(f"Building the demo agency: {contacts:,} contacts…\n")
        try:
            result = build_demo(
                contacts, options["seed"], progress=progress, strategy=options["strategy"]
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        self._report(result, options)
        if not options["no_serve"]:
            serve_options = {"port": options["port"], "host": options["host"]}
            if options["workers"]:
                serve_options["workers"] = options["workers"]
            call_command("serve", **serve_options)

    def _report(self, result: DemoResult, options: dict[str, Any]) -> None:
        out = self.stdout
        if result.added:
            out.write(
                f"{result.agency}: {result.added:,} contacts added in {result.seconds:.1f}s "
                f"({result.rate:,.0f} contacts/s); {result.contacts:,} contacts, "
                f"{result.outlets:,} outlets."
            )
        else:
            out.write(
                f"{result.agency} is already built: {result.contacts:,} contacts, "
                f"{result.outlets:,} outlets (nothing to add)."
            )
        url = f"http://{options['host']}:{options['port']}/"
        if not options["no_serve"]:
            out.write(f"\nOpen {url} and sign in with one of these accounts:\n")
        else:
            out.write("\nDemo accounts:\n")
        width = max(len(login.username) for login in result.logins)
        roles = max(len(login.role) for login in result.logins)
        out.write(f"  {'username':<{width}}  {'role':<{roles}}  password      name")
        for login in result.logins:
            out.write(
                f"  {login.username:<{width}}  {login.role:<{roles}}  {login.password:<12}  "
                f"{login.name}"
            )
        out.write("")

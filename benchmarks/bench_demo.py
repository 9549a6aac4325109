"""Building the demo agency: `relance demo --contacts N --no-serve` into a
fresh SQLite data directory and a fresh PostgreSQL database.

    python -m benchmarks demo                       # 1,000,000 contacts, both engines
    python -m benchmarks demo --contacts 200000 --engines sqlite

Target: 50,000 contacts/s. Each engine starts from an empty, migrated
database (a temporary RELANCE_DATA_DIR; a PostgreSQL database dropped and
created again); `migrate` is not timed. Reported per engine:

* `contacts_per_s`: contacts added over the build time the command reports
  (agency, team, outlets, contacts, indexes, full-text index, lists);
* `wall_s`: the whole command, process start to exit;
* `cpu_s`: CPU time of the command's process (all its threads), and the
  load average around the run: the machine may be shared, and a build that
  waits for a core shows it here;
* `server_cpu_s` (PostgreSQL on this machine): CPU time of the server
  processes of the build's two sessions, as the builder's steps report it
  (the heavy work of a PostgreSQL build happens there, not in `cpu_s`);
* `steps`: where the time went, as the builder measured it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELANCE = str(ROOT / ".venv" / "bin" / "relance")
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_SERVER = f"postgres://postgres@{PG_HOST}:{PG_PORT}/"
PG_DATABASE = "relance_bench_demo"
TARGET = 50_000


def postgres_reachable() -> bool:
    try:
        socket.create_connection((PG_HOST, PG_PORT), timeout=2).close()
        return True
    except OSError:
        return False


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_build(engine: str, contacts: int, seed: int, keep: bool) -> dict[str, object]:
    data_dir = tempfile.mkdtemp(prefix=f"relance-bench-demo-{engine}-")
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env["RELANCE_DATA_DIR"] = data_dir
    if engine == "postgresql":
        recreate_database(PG_DATABASE)
        env["DATABASE_URL"] = PG_SERVER + PG_DATABASE
    try:
        subprocess.run([RELANCE, "migrate", "--no-input", "-v", "0"], env=env, check=True)
        command = [RELANCE, "demo", "--contacts", str(contacts), "--seed", str(seed)]
        command += ["--no-serve", "-v", "2"]
        load_before = os.getloadavg()[0]
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(command, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        sys.stderr.write(proc.stderr)
        if proc.returncode:
            sys.stdout.write(proc.stdout)
            raise RuntimeError(f"relance demo failed on {engine} (status {proc.returncode})")
        match = re.search(r"([\d,]+) contacts added in ([\d.]+)s", proc.stdout)
        if not match:
            raise RuntimeError(f"unexpected output from relance demo:\n{proc.stdout}")
        added, build = int(match.group(1).replace(",", "")), float(match.group(2))
        cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
            cpu_after.ru_stime - cpu_before.ru_stime
        )
        steps = steps_from(proc.stderr)
        return {
            "engine": engine,
            "contacts": added,
            "build_s": build,
            "contacts_per_s": round(added / build),
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2),
            "cores": os.cpu_count(),
            "server_cpu_s": server_cpu(steps),
            "target_met": added / build >= TARGET,
            "steps": steps,
        }
    finally:
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
            if engine == "postgresql":
                drop_database(PG_DATABASE)


def steps_from(progress: str) -> list[str]:
    """The builder's progress lines ("  12.3s  indexes"), but the last contacts
    slice only."""
    lines = [line.strip() for line in progress.splitlines() if re.match(r"\s+[\d.]+s  ", line)]
    return [
        line
        for line in lines
        if not re.search(r"contacts ([\d,]+)/([\d,]+)", line)
        or re.search(r"contacts ([\d,]+)/\1\b", line)
    ]


def server_cpu(steps: list[str]) -> float | None:
    """The sum of the steps' "server cpu" figures (each step's, and the
    parallel session's total); None when the build reported none."""
    figures = [float(f) for line in steps for f in re.findall(r"server cpu ([\d.]+)s", line)]
    return round(sum(figures), 1) if figures else None


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks demo")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the databases built")
    args = parser.parse_args(argv)
    results = []
    for engine in args.engines.split(","):
        if engine == "postgresql" and not postgres_reachable():
            print(f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT}: skipped.", flush=True)
            continue
        print(f"demo build on {engine}, {args.contacts:,} contacts…", flush=True)
        result = run_build(engine, args.contacts, args.seed, args.keep)
        server = f", server cpu {result['server_cpu_s']}s" if result["server_cpu_s"] else ""
        print(
            f"  {engine}: {result['contacts']:,} contacts in {result['build_s']}s = "
            f"{result['contacts_per_s']:,} contacts/s (wall {result['wall_s']}s, "
            f"cpu {result['cpu_s']}s{server}, "
            f"load {result['load_before']}→{result['load_after']})",
            flush=True,
        )
        results.append(result)
    return results


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=2))

"""Run benchmarks: `python -m benchmarks` runs every `bench_*.py` module;
`python -m benchmarks demo search --contacts 200000` runs the named ones and
passes them the remaining arguments.

A module's `main(argv)` returns its results (a dict or a list), which are
printed and appended to `benchmarks/results/<name>.json` (one record per
run, with the time and the arguments), or an exit status (it then reports
for itself). The exit status is non-zero if any benchmark said so.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def save(name: str, args: list[str], results: object) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    runs = json.loads(path.read_text()) if path.exists() else []
    runs.append(
        {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "host": platform.node(),
            "args": args,
            "results": results,
        }
    )
    path.write_text(json.dumps(runs, indent=2, ensure_ascii=False) + "\n")
    return path


def main(argv: list[str]) -> int:
    names = []
    while argv and not argv[0].startswith("-"):
        names.append(argv.pop(0))
    unknown = set(names) - set(available())
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have: {', '.join(available())}")
        return 2
    status = 0
    for name in names or available():
        print(f"== benchmark {name}", flush=True)
        result = importlib.import_module(f"benchmarks.bench_{name}").main(list(argv))
        if isinstance(result, int) and not isinstance(result, bool):
            status = max(status, result)
        elif result is not None:
            print(json.dumps(result, indent=2, ensure_ascii=False))
            print(f"   saved to {save(name, argv, result).relative_to(HERE.parent)}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

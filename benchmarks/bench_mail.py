"""Classifying inbound campaign mail (bounces, auto-replies, replies).

    python -m benchmarks mail                     # 10,000 messages
    python -m benchmarks.bench_mail --messages 2000

Target (issue 3): ingesting 10,000 mailbox messages at >= 500 messages/s.
This measures the parsing and classification alone (`classify_message` on
raw bytes already in memory), cycling the 443 real bounces of the sisimai
corpus in tests/data/bounces plus its not-bounces: the heaviest kind of
message, with attached originals and delivery-status parts. Reading the
mailbox and matching to the outbox come on top.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "bounces"
TARGET = 500


def main(argv: list[str]) -> dict[str, object]:
    parser = argparse.ArgumentParser(prog="bench_mail")
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from relance.outreach.mail import classify_message

    files = sorted(CORPUS.glob("sisimai/*.eml")) + sorted(CORPUS.glob("not-bounces/*.eml"))
    raws = [path.read_bytes() for path in files]
    kinds: Counter[str] = Counter()
    started = time.perf_counter()
    for raw in islice(cycle(raws), args.messages):
        kinds[classify_message(raw).kind] += 1
    elapsed = time.perf_counter() - started
    rate = args.messages / elapsed
    return {
        "messages": args.messages,
        "distinct_files": len(raws),
        "seconds": round(elapsed, 2),
        "messages_per_s": round(rate, 1),
        "target_messages_per_s": TARGET,
        "meets_target": rate >= TARGET,
        "kinds": dict(kinds),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(main(sys.argv[1:]), indent=2))

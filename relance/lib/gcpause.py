"""Pausing Python's cyclic garbage collector around a burst of allocations.

A collection walks every live object of the process; work that makes
hundreds of thousands of short-lived objects at once (a 10,000-recipient
follow-up plan, laying out a 500-item PDF report) triggers many of them and
pays 100 ms to a second in pauses. Reference counting still frees what has
no cycles at once; what has cycles (WeasyPrint's boxes point at their
parents) waits for the next collection, which resumes after.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

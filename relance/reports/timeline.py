"""Counting coverage per day, week or month over a period, gaps included.

A day without coverage is a fact the chart must show (a campaign that
came out in two waves looks like two waves), so every bucket of the period
is there, at zero when nothing came out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class Step(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


# Up to a month, a bar per day (31 at most); up to about half a year, a bar
# per week (27 at most); beyond, a bar per month. Each keeps the bars wide
# enough to carry their value.
DAILY_UP_TO_DAYS = 31
WEEKLY_UP_TO_DAYS = 26 * 7
# More buckets than this cannot be told apart in a 640-unit-wide chart.
MAX_BUCKETS = 400
_ORDER = (Step.DAY, Step.WEEK, Step.MONTH)


@dataclass(frozen=True)
class Bucket:
    """One bar: the days from `start` to `end` (inclusive, within the period)."""

    start: date
    end: date
    count: int


def choose_step(start: date, end: date) -> Step:
    days = (end - start).days + 1
    if days <= DAILY_UP_TO_DAYS:
        return Step.DAY
    if days <= WEEKLY_UP_TO_DAYS:
        return Step.WEEK
    return Step.MONTH


def bucket_start(day: date, step: Step) -> date:
    if step is Step.DAY:
        return day
    if step is Step.WEEK:
        # Weeks start on Monday, in France as in ISO 8601.
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_start(day: date, step: Step) -> date:
    if step is Step.DAY:
        return day + timedelta(days=1)
    if step is Step.WEEK:
        return day + timedelta(days=7)
    if day.month == 12:
        return date(day.year + 1, 1, 1)
    return date(day.year, day.month + 1, 1)


def _count(start: date, end: date, step: Step) -> int:
    if step is Step.DAY:
        return (end - start).days + 1
    if step is Step.WEEK:
        return (bucket_start(end, step) - bucket_start(start, step)).days // 7 + 1
    return (end.year - start.year) * 12 + end.month - start.month + 1


def check_points(points: Sequence[tuple[date, int]]) -> dict[date, int]:
    """Counts per day, duplicates added up; bad values refused plainly."""
    per_day: dict[date, int] = defaultdict(int)
    for day, count in points:
        # A datetime is a date too, but which day it falls on depends on the
        # time zone: the caller decides that, not the chart.
        if isinstance(day, datetime) or not isinstance(day, date):
            raise TypeError(f"Each point needs a date, not a date and time: {day!r}")
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError(f"Each point needs a whole number: {count!r}")
        if count < 0:
            raise ValueError(f"A count cannot be negative: {count!r}")
        per_day[day] += count
    return per_day


def buckets(
    points: Sequence[tuple[date, int]],
    *,
    start: date | None = None,
    end: date | None = None,
    step: Step | None = None,
) -> tuple[Step, list[Bucket]]:
    """The buckets of the period, zero-filled, with the step used.

    The period defaults to the first and last dates of `points`; points
    outside a given period are left out (the chart then tells only the
    period it names). A `step` too fine for the period is made coarser
    (a bar per day over ten years would be a smudge).
    """
    per_day = check_points(points)
    if start is None and per_day:
        start = min(per_day)
    if end is None and per_day:
        end = max(per_day)
    if start is None or end is None:
        return step or Step.DAY, []
    if start > end:
        raise ValueError(f"The period ends before it starts: {start} > {end}")
    chosen = step or choose_step(start, end)
    for candidate in _ORDER[_ORDER.index(chosen) :]:
        if _count(start, end, candidate) <= MAX_BUCKETS:
            chosen = candidate
            break
    else:
        raise ValueError(f"The period is too long to chart: {start} to {end}")
    totals: dict[date, int] = defaultdict(int)
    for day, count in per_day.items():
        if start <= day <= end:
            totals[bucket_start(day, chosen)] += count
    out = []
    cursor = bucket_start(start, chosen)
    while True:
        try:
            last = next_start(cursor, chosen) - timedelta(days=1)
        except (OverflowError, ValueError):  # the period runs to date.max
            last = date.max
        out.append(
            Bucket(start=max(cursor, start), end=min(last, end), count=totals.get(cursor, 0))
        )
        if last >= end:
            return chosen, out
        cursor = last + timedelta(days=1)

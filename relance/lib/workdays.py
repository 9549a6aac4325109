"""Working days of an outlet's country and province.

A follow-up lands on a working day of the newsroom, not of the agency: a
Montreal desk works on 14 July and is closed on 24 June (Fête nationale du
Québec), a Paris desk the other way round. Public holidays come from the
`holidays` package, by ISO country and, where the package knows it, the
province or region code the outlet carries ("QC", "ON"…).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=256)
def _holidays(country: str, subdiv: str, year: int) -> frozenset[date]:
    try:
        table = holidays.country_holidays(country, subdiv=subdiv or None, years=year)
    except NotImplementedError:  # a country the package does not know
        return frozenset()
    return frozenset(table)


@lru_cache(maxsize=64)
def _subdivision(country: str, region: str) -> str:
    """The region as the package's subdivision code, or "" (national
    holidays only) when it is not one: French outlets carry region names
    ("Île-de-France"), not the package's codes."""
    known = holidays.list_supported_countries().get(country.upper(), [])
    code = region.strip().upper()
    return code if code in known else ""


class Workdays:
    """Working-day arithmetic for one place (country and region)."""

    __slots__ = ("country", "subdiv")

    def __init__(self, country: str, region: str = "") -> None:
        self.country = (country or "FR").upper()
        self.subdiv = _subdivision(self.country, region or "")

    def holiday(self, day: date) -> bool:
        return day in _holidays(self.country, self.subdiv, day.year)

    def holiday_name(self, day: date) -> str:
        if not self.holiday(day):
            return ""
        try:
            table = holidays.country_holidays(
                self.country, subdiv=self.subdiv or None, years=day.year
            )
        except NotImplementedError:
            return ""
        return str(table.get(day) or "")

    def working(self, day: date) -> bool:
        return day.weekday() < 5 and not self.holiday(day)

    def next_working(self, day: date) -> date:
        """`day` itself when it is a working day, else the next one."""
        while not self.working(day):
            day += timedelta(days=1)
        return day

    def add(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (count ≥ 1), whatever `day` is."""
        return _add(self.country, self.subdiv, day, count)

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when
        `end` ≤ `start`): a call on Monday and one on Thursday are three
        working days apart."""
        return _between(self.country, self.subdiv, start, end)


@lru_cache(maxsize=8192)
def _add(country: str, subdiv: str, day: date, count: int) -> date:
    # Cached: a plan asks the same few questions for thousands of recipients
    # (the same send day, the same few countries).
    holidays_of = _holidays
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays_of(country, subdiv, day.year):
            count -= 1
    return day


@lru_cache(maxsize=8192)
def _between(country: str, subdiv: str, start: date, end: date) -> int:
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in _holidays(country, subdiv, day.year):
            count += 1
    return count


@lru_cache(maxsize=512)
def for_place(country: str, region: str = "") -> Workdays:
    return Workdays(country, region)

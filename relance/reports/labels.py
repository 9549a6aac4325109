"""Numbers, percentages and dates as the report's reader writes them.

Everything goes through Django's locale formats in the active language
(the report is rendered under `translation.override(client.language)`),
the same ones `intcomma` and `number_format` use on the other pages, so
a figure reads the same in a chart, in the text beside it and on screen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _

ValueFormat = Callable[[float], str]


def number(value: float) -> str:
    """`value` with thousands grouping; whole numbers without decimals,
    others with one."""
    if isinstance(value, float) and value.is_integer():
        # A float such as 1e20 would otherwise come out in exponent form.
        value = int(value)
    decimals = 0 if isinstance(value, int) else 1
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


def percent(value: int) -> str:
    # Translators: a percentage; French writes a (narrow) no-break space before %.
    return _("%(percent)s%%") % {"percent": number(value)}


def percentages(counts: list[int]) -> list[int]:
    """Whole percentages of `counts` that add up to exactly 100 (largest
    remainder method), so a legend never reads 33 + 33 + 33."""
    total = sum(counts)
    if total == 0:
        return [0 for _ in counts]
    exact = [c * 100 / total for c in counts]
    whole = [math.floor(e) for e in exact]
    short = 100 - sum(whole)
    # Ties go to the earlier item: the result depends only on the input.
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - whole[i]), i))
    for i in order[:short]:
        whole[i] += 1
    return whole


def _short(format_name: str) -> str:
    # Abbreviated month ("N": "Jan.", "janv.") in the locale's own order of
    # day and month; both our locales spell their month with a plain "F".
    return str(formats.get_format(format_name)).replace("F", "N")


def day_tick(day: date) -> str:
    """An axis label: "5 mars", "March 5", "12 janv.", "Jan. 12"."""
    return formats.date_format(day, _short("MONTH_DAY_FORMAT"))


def month_tick(day: date) -> str:
    """An axis label for a month: "janv. 2025", "Jan. 2025"."""
    return formats.date_format(day, _short("YEAR_MONTH_FORMAT"))


def day_text(day: date, *, with_year: bool) -> str:
    """A day in running text: "5 mars 2025", "March 5"."""
    return formats.date_format(day, "DATE_FORMAT" if with_year else "MONTH_DAY_FORMAT")


def month_text(day: date) -> str:
    return formats.date_format(day, "YEAR_MONTH_FORMAT")

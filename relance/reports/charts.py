"""The report's charts, drawn on the server as SVG.

Each function takes plain data and returns one <svg> element as a string,
safe to inline in a template (`{{ chart }}`) and drawn the same by browsers
and by WeasyPrint in the PDF. The same data gives the same bytes.

What every chart does for its readers:

* it has an accessible name and a plain-language summary (<title> and
  <desc>, `role="img"`), so a screen reader says what the chart shows;
* every value is also written as text beside its bar or in the legend:
  nothing is told by colour alone, and the chart survives black-and-white
  printing;
* labels are escaped and shortened with an ellipsis to fit, the full text
  kept in a <title> tooltip;
* no data gives a small chart saying there is nothing yet, never an error.
  Bad data (a negative count, None, NaN) is a bug in the caller and is
  refused with ValueError or TypeError.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relance.reports import labels, svg
from relance.reports.labels import ValueFormat
from relance.reports.palette import TONE_COLOURS, Palette, palette, readable
from relance.reports.timeline import Bucket, Step, buckets

__all__ = ["Step", "bars", "empty", "line_or_bars_over_time", "share", "tone_share"]

PAD = 16
TICK_SIZE = 11
# Up to this many buckets the series is drawn as columns, each carrying its
# value; beyond, columns would be hairlines and a line reads better.
MAX_COLUMNS = 62
PLOT_HEIGHT = 180
ROW = 24
BAR = 16
# The longest category label may take this share of the width; longer ones
# are shortened, so the bars keep room to show their differences.
LABEL_SHARE = 0.38
DESC_LABEL_WIDTH = 480.0
DESC_ITEMS = 5
TONES = ("positive", "neutral", "negative")


def _top(title: str, show_title: bool, colours: Palette) -> tuple[float, list[str]]:
    """Where the plot starts, and the drawn title if any."""
    if not show_title:
        return PAD, []
    drawn = svg.truncate(svg.clean(title), svg.WIDTH - 2 * PAD, svg.TITLE_SIZE)
    return PAD + 30, [
        svg.label(
            PAD, PAD + svg.TITLE_SIZE, drawn, fill=colours.text, size=svg.TITLE_SIZE, weight="bold"
        )
    ]


def empty(title: str, *, message: str | None = None, show_title: bool = True) -> SafeString:
    """A small chart saying there is nothing to show yet."""
    colours = palette()
    message = message or _("Nothing to show yet.")
    top, body = _top(str(title), show_title, colours)
    body.append(svg.label(PAD, top + 14, message, fill=colours.muted))
    return svg.document("empty", title=str(title), desc=message, height=top + 14 + PAD, body=body)


# --- Over time ------------------------------------------------------------


def _scale(peak: int) -> list[int]:
    """Axis ticks from 0 to a round number at or above `peak`, in about
    four steps of 1, 2 or 5 times a power of ten. Integer arithmetic, so
    that billions and more stay exact."""
    raw = max(1, -(-peak // 4))
    magnitude = 10 ** (len(str(raw)) - 1)
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw)
    top = step * max(1, -(-peak // step))
    return list(range(0, top + 1, step))


# Label every k-th bucket, k taken from steps that fall on round periods.
_TICK_STEPS = {
    Step.DAY: (1, 2, 7, 14, 28),
    Step.WEEK: (1, 2, 4, 8, 13, 26),
    Step.MONTH: (1, 2, 3, 6, 12, 24),
}


def _tick_every(step: Step, count: int, fits: int) -> int:
    need = max(1, -(-count // max(fits, 1)))
    return next((k for k in _TICK_STEPS[step] if k >= need), need)


def _tick_text(step: Step, bucket: Bucket) -> str:
    if step is Step.MONTH:
        return labels.month_tick(bucket.start)
    return labels.day_tick(bucket.start)


def _bucket_text(step: Step, bucket: Bucket, *, with_year: bool) -> str:
    if step is Step.MONTH:
        return labels.month_text(bucket.start)
    day = labels.day_text(bucket.start, with_year=with_year)
    if step is Step.WEEK:
        return _("the week of %(day)s") % {"day": day}
    return day


def _timeline_summary(step: Step, rows: list[Bucket], start: date, end: date) -> str:
    total = sum(b.count for b in rows)
    count = labels.number(total)
    same_year = start.year == end.year
    if start == end:
        return ngettext(
            "%(count)s item of coverage on %(day)s.",
            "%(count)s items of coverage on %(day)s.",
            total,
        ) % {"count": count, "day": labels.day_text(start, with_year=True)}
    summary = ngettext(
        "%(count)s item of coverage between %(start)s and %(end)s",
        "%(count)s items of coverage between %(start)s and %(end)s",
        total,
    ) % {
        "count": count,
        "start": labels.day_text(start, with_year=not same_year),
        "end": labels.day_text(end, with_year=True),
    }
    if len(rows) == 1:
        return _("%(summary)s.") % {"summary": summary}
    peak = max(rows, key=lambda b: b.count)  # the first of equal peaks
    when = _bucket_text(step, peak, with_year=not same_year)
    if step is Step.DAY:
        most = _("most on %(when)s (%(count)s)")
    else:
        most = _("most in %(when)s (%(count)s)")
    return _("%(summary)s; %(most)s.") % {
        "summary": summary,
        "most": most % {"when": when, "count": labels.number(peak.count)},
    }


def line_or_bars_over_time(
    points: Sequence[tuple[date, int]],
    *,
    title: str,
    start: date | None = None,
    end: date | None = None,
    step: Step | None = None,
    brand: str | None = None,
    desc: str | None = None,
    show_title: bool = True,
) -> SafeString:
    """Coverage per day, week or month over a period.

    `points` are (day, count) pairs, several per day allowed; the period
    defaults to the first and last day given, and buckets without coverage
    are drawn at zero. The step is chosen from the period's length (see
    `timeline.choose_step`) unless given. Up to 62 buckets are columns with
    their values written on top, more a line with its peak labelled.
    """
    step, rows = buckets(points, start=start, end=end, step=step)
    title = str(title)
    peak = max((b.count for b in rows), default=0)
    if peak == 0:
        return empty(title, show_title=show_title)
    colours = palette(brand)
    summary = desc or _timeline_summary(step, rows, rows[0].start, rows[-1].end)
    top, body = _top(title, show_title, colours)

    ticks = _scale(peak)
    tick_labels = [labels.number(t) for t in ticks]
    left = PAD + max(svg.text_width(t, TICK_SIZE) for t in tick_labels) + 8
    right = svg.WIDTH - PAD
    plot_top = top + 16  # room for the peak's value above the tallest column
    bottom = plot_top + PLOT_HEIGHT
    slot = (right - left) / len(rows)

    def y(value: int) -> float:
        return bottom - value / ticks[-1] * PLOT_HEIGHT

    for value, text in zip(ticks, tick_labels, strict=True):
        body.append(svg.line(left, y(value), right, y(value), colours.grid))
        body.append(
            svg.label(
                left - 6, y(value) + 4, text, fill=colours.muted, size=TICK_SIZE, anchor="end"
            )
        )
    body.append(svg.line(left, bottom, right, bottom, colours.muted))

    first_peak = next(i for i, b in enumerate(rows) if b.count == peak)
    values = [labels.number(b.count) for b in rows]
    label_all = len(rows) <= MAX_COLUMNS and all(
        svg.text_width(v, TICK_SIZE) + 2 <= slot for v in values
    )
    same_year = rows[0].start.year == rows[-1].end.year
    if len(rows) <= MAX_COLUMNS:
        width = max(slot * 0.7, 1.0)
        for i, b in enumerate(rows):
            x = left + i * slot + (slot - width) / 2
            hover = f"{_bucket_text(step, b, with_year=not same_year)}: {values[i]}"
            parts = [
                svg.tooltip(hover),
                svg.rect(x, y(b.count), width, bottom - y(b.count), colours.primary),
            ]
            if b.count and (label_all or i == first_peak):
                parts.append(
                    svg.label(
                        x + width / 2,
                        y(b.count) - 4,
                        values[i],
                        fill=colours.text,
                        size=TICK_SIZE,
                        anchor="middle",
                    )
                )
            body.append(f"<g>{''.join(parts)}</g>")
    else:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{svg.n(left + (i + 0.5) * slot)} {svg.n(y(b.count))}"
            for i, b in enumerate(rows)
        )
        body.append(
            f'<path d="{path}" fill="none" stroke="{colours.primary}" stroke-width="2" '
            'stroke-linejoin="round"/>'
        )
        cx = left + (first_peak + 0.5) * slot
        body.append(
            f'<circle cx="{svg.n(cx)}" cy="{svg.n(y(peak))}" r="3" fill="{colours.primary}"/>'
        )
        body.append(
            svg.label(
                cx,
                y(peak) - 6,
                values[first_peak],
                fill=colours.text,
                size=TICK_SIZE,
                anchor="middle",
            )
        )

    texts = [_tick_text(step, b) for b in rows]
    widest = max(svg.text_width(t, TICK_SIZE) for t in texts)
    every = _tick_every(step, len(rows), int((right - left) // (widest + 10)))
    for i in range(0, len(rows), every):
        cx = left + (i + 0.5) * slot
        body.append(svg.line(cx, bottom, cx, bottom + 4, colours.muted))
        # Centred under its tick, but pushed inside at the edges so that the
        # last date is not cut off by the frame.
        half = svg.text_width(texts[i], TICK_SIZE) / 2
        at = min(max(cx, half + 4), svg.WIDTH - half - 4)
        body.append(
            svg.label(
                at, bottom + 17, texts[i], fill=colours.muted, size=TICK_SIZE, anchor="middle"
            )
        )
    return svg.document("timeline", title=title, desc=summary, height=bottom + 24 + PAD, body=body)


# --- Categories -----------------------------------------------------------


def _checked(items: Sequence[tuple[str, float]], *, whole: bool) -> list[tuple[str, float]]:
    out = []
    for name, value in items:
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"Each value must be a number: {name!r} has {value!r}")
        if whole and not isinstance(value, int):
            raise TypeError(f"Each count must be a whole number: {name!r} has {value!r}")
        try:
            finite = math.isfinite(float(value))
        except OverflowError:
            finite = False
        if not finite:
            raise ValueError(f"Each value must be a finite number: {name!r} has {value!r}")
        if value < 0:
            raise ValueError(f"A value cannot be negative: {name!r} has {value!r}")
        out.append((svg.clean("" if name is None else name), value))
    return out


def _capped(rows: list[tuple[str, float]], limit: int) -> tuple[list[tuple[str, float]], int]:
    """At most `limit` rows: the largest `limit - 1` in their order, then
    one "Other" row adding up the rest. Returns the rows and how many went
    into "Other" (0 if none)."""
    if limit < 2:
        raise ValueError(f"limit must be 2 or more, not {limit}")
    if len(rows) <= limit:
        return rows, 0
    ranked = sorted(range(len(rows)), key=lambda i: (-rows[i][1], i))
    keep = set(ranked[: limit - 1])
    rest = [rows[i][1] for i in range(len(rows)) if i not in keep]
    total = sum(rest)
    if not math.isfinite(float(total)):
        raise ValueError("The values are too large to add up")
    kept = [row for i, row in enumerate(rows) if i in keep]
    return [*kept, (_("Other"), total)], len(rest)


def _listing(pairs: list[str], hidden: int) -> str:
    if hidden:
        pairs = [
            *pairs,
            ngettext("and %(count)s more", "and %(count)s more", hidden)
            % {"count": labels.number(hidden)},
        ]
    return "; ".join(pairs)


def _pair(name: str, value: str) -> str:
    short = svg.truncate(name, DESC_LABEL_WIDTH) or "—"
    return _("%(label)s: %(value)s") % {"label": short, "value": value}


def bars(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    value_format: ValueFormat | None = None,
    brand: str | None = None,
    limit: int = 12,
    sort: bool = True,
    desc: str | None = None,
    show_title: bool = True,
) -> SafeString:
    """Horizontal bars, one per category (coverage by outlet kind, reach by
    outlet), the value written at the end of each bar.

    Sorted largest first unless `sort` is False (a fixed order such as the
    outlet kinds'). More than `limit` categories keep the largest and add
    up the rest in an "Other" bar, so values must be additive (counts,
    reach), not averages. `value_format` turns a value into its text; the
    default groups thousands in the active language.
    """
    rows = _checked(items, whole=False)
    title = str(title)
    if not rows:
        return empty(title, show_title=show_title)
    fmt = value_format or labels.number
    if sort:
        rows = sorted(rows, key=lambda r: -r[1])
    shown, grouped = _capped(rows, limit)
    colours = palette(brand)
    top, body = _top(title, show_title, colours)

    names = [name or "—" for name, _value in shown]
    if grouped:
        names[-1] = f"{names[-1]} ({labels.number(grouped)})"
    values = [fmt(value) for _name, value in shown]
    label_width = min(
        max(svg.text_width(name) for name in names), LABEL_SHARE * (svg.WIDTH - 2 * PAD)
    )
    bar_x = PAD + label_width + 8
    value_width = max(svg.text_width(v) for v in values) + 6
    # Absurdly long values overflow on the right rather than squash the bars.
    room = max(svg.WIDTH - PAD - value_width - bar_x, 0.2 * svg.WIDTH)
    largest = max(float(value) for _name, value in shown)

    for i, ((_name, value), name, text) in enumerate(zip(shown, names, values, strict=True)):
        row_y = top + i * ROW
        length = room * float(value) / largest if largest else 0.0
        if value and length < 1:
            length = 1.0  # a small value is still not nothing
        fill = colours.other if grouped and i == len(shown) - 1 else colours.primary
        baseline = row_y + ROW / 2 + 4
        body.append(
            "<g>"
            + svg.tooltip(f"{name}: {text}")
            + svg.label(PAD, baseline, svg.truncate(name, label_width), fill=colours.text)
            + svg.rect(bar_x, row_y + (ROW - BAR) / 2, length, BAR, fill)
            + svg.label(bar_x + length + 6, baseline, text, fill=colours.text)
            + "</g>"
        )

    if desc is None:
        heading = ngettext("%(count)s category", "%(count)s categories", len(rows)) % {
            "count": labels.number(len(rows))
        }
        pairs = [_pair(name, text) for name, text in zip(names, values, strict=True)]
        desc = _("%(heading)s. %(list)s.") % {
            "heading": heading,
            "list": _listing(pairs[:DESC_ITEMS], max(len(pairs) - DESC_ITEMS, 0)),
        }
    return svg.document(
        "bars", title=title, desc=desc, height=top + len(shown) * ROW + PAD, body=body
    )


# --- Shares ---------------------------------------------------------------

SHARE_HEIGHT = 32
LEGEND_ROW = 20


def share(
    items: Sequence[tuple[str, int]],
    *,
    title: str,
    colours: Mapping[str, str] | None = None,
    brand: str | None = None,
    limit: int = 8,
    desc: str | None = None,
    show_title: bool = True,
) -> SafeString:
    """A 100 % stacked bar with a legend giving each part's count and
    percentage (whole percentages adding up to exactly 100).

    Parts keep their order; `colours` maps a label to its colour (darkened
    if needed so the white percentage on it stays legible), other parts
    take the brand palette's colours in turn.
    """
    rows = _checked(items, whole=True)
    title = str(title)
    total = sum(int(value) for _name, value in rows)
    if total == 0:
        return empty(title, show_title=show_title)
    shown, grouped = _capped(rows, limit)
    scheme = palette(brand)
    top, body = _top(title, show_title, scheme)
    given = {svg.clean(k): v for k, v in (colours or {}).items()}

    counts = [int(value) for _name, value in shown]
    shares = labels.percentages(counts)
    fills = []
    for i, (name, _value) in enumerate(shown):
        if grouped and i == len(shown) - 1:
            fills.append(scheme.other)
        elif name in given:
            fills.append(readable(given[name]))
        else:
            fills.append(scheme.series[i % len(scheme.series)])

    width = svg.WIDTH - 2 * PAD
    before = 0
    for count, percent, fill in zip(counts, shares, fills, strict=True):
        # Edges from running totals: the parts meet exactly, with no gap or
        # overlap from rounding each width on its own.
        x0 = PAD + width * before / total
        before += count
        x1 = PAD + width * before / total
        if count == 0:
            continue
        parts = [svg.rect(x0, top, x1 - x0, SHARE_HEIGHT, fill)]
        text = labels.percent(percent)
        if svg.text_width(text) + 8 <= x1 - x0:
            parts.append(
                svg.label(
                    (x0 + x1) / 2, top + SHARE_HEIGHT / 2 + 4, text, fill="#ffffff", anchor="middle"
                )
            )
        body.append(f"<g>{''.join(parts)}</g>")

    legend_top = top + SHARE_HEIGHT + 12
    lines = []
    for i, ((name, _value), count, percent, fill) in enumerate(
        zip(shown, counts, shares, fills, strict=True)
    ):
        shown_name = name or "—"
        if grouped and i == len(shown) - 1:
            shown_name = f"{shown_name} ({labels.number(grouped)})"
        line = _("%(label)s: %(count)s (%(percent)s)") % {
            "label": shown_name,
            "count": labels.number(count),
            "percent": labels.percent(percent),
        }
        lines.append(line)
        row_y = legend_top + i * LEGEND_ROW
        body.append(
            "<g>"
            + svg.tooltip(line)
            + svg.rect(PAD, row_y + 3, 12, 12, fill)
            + svg.label(PAD + 18, row_y + 13, svg.truncate(line, width - 18), fill=scheme.text)
            + "</g>"
        )

    if desc is None:
        pairs = [
            _("%(label)s: %(count)s (%(percent)s)")
            % {
                "label": svg.truncate(name or "—", DESC_LABEL_WIDTH),
                "count": labels.number(count),
                "percent": labels.percent(percent),
            }
            for (name, _value), count, percent in zip(shown, counts, shares, strict=True)
        ]
        desc = _("%(list)s. Total: %(total)s.") % {
            "list": "; ".join(pairs),
            "total": labels.number(total),
        }
    height = legend_top + len(shown) * LEGEND_ROW + PAD
    return svg.document("share", title=title, desc=desc, height=height, body=body)


def tone_share(
    counts: Mapping[str, int],
    *,
    title: str,
    names: Mapping[str, str] | None = None,
    desc: str | None = None,
    show_title: bool = True,
) -> SafeString:
    """The tone of the coverage: positive, neutral, negative, always in
    that order and in their fixed colours (see `palette.TONE_COLOURS`).

    `counts` is keyed by tone ("positive", "neutral", "negative"), a missing
    tone counting zero; `names` may give the labels (the coverage model's
    choice labels), which default to the translated words.
    """
    unknown = set(counts) - set(TONES)
    if unknown:
        raise ValueError(f"Unknown tone(s): {sorted(unknown)!r}; expected {TONES!r}")
    words = {"positive": _("Positive"), "neutral": _("Neutral"), "negative": _("Negative")}
    words.update(names or {})
    items = [(str(words[tone]), counts.get(tone, 0)) for tone in TONES]
    return share(
        items,
        title=title,
        colours={str(words[tone]): TONE_COLOURS[tone] for tone in TONES},
        limit=len(TONES),
        desc=desc,
        show_title=show_title,
    )

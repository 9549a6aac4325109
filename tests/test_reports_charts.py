"""The report charts (relance.reports.charts): server-side SVG.

Pure functions, so no database: every chart kind and edge case must give a
well-formed, accessible SVG (parsed here with xml.etree), hostile labels
come out as text, the summary reads in the client's language, buckets are
zero-filled, the brand palette stays legible, and the charts really draw
in WeasyPrint's PDF (rasterised with pypdfium2 and measured).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import translation

from relance.reports import charts, labels
from relance.reports.palette import (
    DEFAULT_BRAND,
    TONE_COLOURS,
    contrast,
    palette,
    parse_hex,
    readable,
)
from relance.reports.timeline import Step, buckets, choose_step

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & A&B \u202egnp.exe\x00\x07'
LONG = "Presse quotidienne régionale, édition du dimanche et suppléments " * 4


def parse(chart: str) -> ET.Element:
    root = ET.fromstring(chart)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def desc(root: ET.Element) -> str:
    node = root.find(f"{SVG}desc")
    assert node is not None
    return node.text or ""


def plot_rects(root: ET.Element) -> list[ET.Element]:
    """The data rectangles: all but the background (the root's first rect)."""
    return [r for r in root.iter(f"{SVG}rect") if "x" in r.attrib]


# --- Well-formed and accessible, whatever the data ---------------------------

MARCH = [
    (date(2025, 3, 3), 2),
    (date(2025, 3, 5), 4),
    (date(2025, 3, 10), 3),
    (date(2025, 3, 17), 3),
]

CASES: dict[str, Callable[[], str]] = {
    "timeline empty": lambda: charts.line_or_bars_over_time([], title="Coverage"),
    "timeline all zero": lambda: charts.line_or_bars_over_time(
        [(date(2025, 3, 3), 0)], title="Coverage", end=date(2025, 3, 9)
    ),
    "timeline one point": lambda: charts.line_or_bars_over_time(
        [(date(2025, 3, 3), 1)], title="Coverage"
    ),
    "timeline daily": lambda: charts.line_or_bars_over_time(MARCH, title="Coverage"),
    "timeline line": lambda: charts.line_or_bars_over_time(
        MARCH, title="Coverage", end=date(2025, 6, 30), step=Step.DAY
    ),
    "timeline huge": lambda: charts.line_or_bars_over_time(
        [(date(2025, 3, 3), 10**18), (date(2025, 4, 3), 1)], title=HOSTILE, brand="#ffff00"
    ),
    "bars empty": lambda: charts.bars([], title="Reach"),
    "bars one": lambda: charts.bars([("Le Monde", 1)], title="Reach"),
    "bars zeros": lambda: charts.bars([("A", 0), ("B", 0)], title="Reach"),
    "bars 500": lambda: charts.bars([(f"Outlet {i}", i) for i in range(500)], title="Reach"),
    "bars huge": lambda: charts.bars([("A", 10**300), ("B", 1e20), ("C", 0.5)], title="Reach"),
    "bars hostile": lambda: charts.bars([(HOSTILE, 3), (LONG, 2), ("", 1)], title=HOSTILE),
    "share empty": lambda: charts.share([], title="Parts"),
    "share zeros": lambda: charts.share([("A", 0)], title="Parts"),
    "share hostile": lambda: charts.share([(HOSTILE, 1), (LONG, 2)], title=HOSTILE),
    "share 500": lambda: charts.share([(f"Kind {i}", 1) for i in range(500)], title="Parts"),
    "tone": lambda: charts.tone_share({"positive": 6, "neutral": 3, "negative": 1}, title="Tone"),
    "tone one-sided": lambda: charts.tone_share({"negative": 10**12}, title="Tone"),
    "empty": lambda: charts.empty(HOSTILE, show_title=False),
}


@pytest.mark.parametrize("case", CASES)
def test_every_chart_is_well_formed_and_accessible(case):
    chart = CASES[case]()
    root = parse(chart)
    assert root.get("role") == "img"
    assert re.fullmatch(r"0 0 640 \d+(\.\d+)?", root.get("viewBox", ""))
    # Scales with its container: no fixed size besides the viewBox.
    assert "width" not in root.attrib and "height" not in root.attrib
    title_id, desc_id = root.get("aria-labelledby", "").split()
    title, description = root[0], root[1]
    assert (title.tag, title.get("id")) == (f"{SVG}title", title_id)
    assert (description.tag, description.get("id")) == (f"{SVG}desc", desc_id)
    assert title.text and description.text
    # Same data, same bytes.
    assert CASES[case]() == chart


def test_hostile_labels_are_text_not_markup():
    chart = charts.bars([(HOSTILE, 3), ("A & B", 2)], title="Reach <b>")
    assert "<script>" not in chart and "&lt;script&gt;" in chart
    root = parse(chart)
    drawn = texts(root)
    # NUL, BEL and the right-to-left override are dropped, the rest kept as is.
    clean = '<script>alert("x")</script> & A&B gnp.exe'
    assert drawn[1].endswith("…") and clean.startswith(drawn[1][:-1])
    tooltips = [t.text for t in root.iter(f"{SVG}title")]
    assert f"{clean}: 3" in tooltips
    assert "A & B" in drawn
    assert root[0].text == "Reach <b>"
    assert "\x00" not in chart and "\u202e" not in chart


def test_the_chart_goes_into_a_template_unescaped():
    chart = charts.bars([("<i>", 1)], title="t")
    html = Template("{{ chart }}").render(Context({"chart": chart}))
    assert html == chart


def test_long_labels_are_shortened_with_the_full_text_in_a_tooltip():
    root = parse(charts.bars([(LONG, 5), ("Short", 1)], title="Reach"))
    groups = [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}title") is not None]
    first = groups[0]
    drawn = first.find(f"{SVG}text")
    assert drawn is not None and drawn.text is not None
    assert drawn.text.endswith("…") and len(drawn.text) < 60
    assert LONG.strip().startswith(drawn.text[:-1])
    tooltip = first.find(f"{SVG}title")
    assert tooltip is not None and tooltip.text == f"{LONG.strip()}: 5"
    assert "Short" in texts(root)


def test_500_categories_are_capped_with_an_other_bucket():
    items = [(f"Outlet {i}", i) for i in range(500)]
    with translation.override("en"):
        root = parse(charts.bars(items, title="Reach"))
    drawn = texts(root)
    assert len(plot_rects(root)) == 12
    assert drawn[1:3] == ["Outlet 499", "499"]
    other = sum(range(489))
    assert drawn[-2:] == ["Other (489)", f"{other:,}"]
    assert desc(root).startswith("500 categories. Outlet 499: 499; Outlet 498: 498;")
    assert desc(root).endswith("and 7 more.")


def test_bars_keep_the_given_order_when_asked():
    root = parse(charts.bars([("Daily", 1), ("Weekly", 9), ("Radio", 5)], title="t", sort=False))
    assert texts(root)[1::2] == ["Daily", "Weekly", "Radio"]


def test_bar_lengths_follow_the_values_and_zero_stays_visible_as_text():
    root = parse(charts.bars([("A", 100), ("B", 50), ("C", 1), ("D", 0)], title="t"))
    widths = [float(r.get("width", "")) for r in plot_rects(root)]
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.02)
    assert widths[2] >= 1 and widths[3] == 0
    assert texts(root)[-1] == "0"


def test_numbers_are_grouped_in_the_reader_language():
    with translation.override("fr"):
        fr = texts(parse(charts.bars([("Ouest-France", 1234567), ("Radio", 2.5)], title="t")))
    with translation.override("en"):
        en = texts(parse(charts.bars([("Ouest-France", 1234567), ("Radio", 2.5)], title="t")))
    # The same separator as intcomma and number_format on the other pages.
    assert "1\xa0234\xa0567" in fr and "2,5" in fr
    assert "1,234,567" in en and "2.5" in en


def test_huge_and_odd_numbers():
    with translation.override("en"):
        root = parse(charts.bars([("A", 1e20), ("B", 10**15)], title="t"))
        assert "100,000,000,000,000,000,000" in texts(root)
        assert "1,000,000,000,000,000" in texts(root)
        timeline = parse(charts.line_or_bars_over_time([(date(2025, 3, 3), 10**18 + 1)], title="t"))
        # Axis steps stay exact integers, however large.
        assert "1,500,000,000,000,000,000" in texts(timeline)


@pytest.mark.parametrize(
    "items",
    [
        [("A", -1)],
        [("A", None)],
        [("A", math.nan)],
        [("A", math.inf)],
        [("A", True)],
        [("A", "12")],
        [("A", 10**400)],
    ],
)
def test_bad_values_are_refused(items):
    with pytest.raises((TypeError, ValueError)):
        charts.bars(items, title="t")


def test_shares_need_whole_counts_and_known_tones():
    with pytest.raises(TypeError):
        charts.share([("A", 1.5)], title="t")  # type: ignore[list-item]
    with pytest.raises(ValueError, match="Unknown tone"):
        charts.tone_share({"mixed": 1}, title="t")
    with pytest.raises(ValueError):
        charts.bars([("A", 1), ("B", 2)], title="t", limit=1)


@pytest.mark.parametrize(
    "points",
    [
        [(datetime(2025, 3, 3, 23, 30), 1)],
        [(date(2025, 3, 3), -1)],
        [(date(2025, 3, 3), None)],
        [(date(2025, 3, 3), 1.0)],
        [("2025-03-03", 1)],
    ],
)
def test_bad_points_are_refused(points):
    with pytest.raises((TypeError, ValueError)):
        charts.line_or_bars_over_time(points, title="t")


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        charts.line_or_bars_over_time(
            MARCH, title="t", start=date(2025, 4, 1), end=date(2025, 3, 1)
        )


def test_nothing_yet_is_translated_and_says_so():
    with translation.override("en"):
        root = parse(charts.line_or_bars_over_time([], title="Coverage"))
    assert texts(root) == ["Coverage", "Nothing to show yet."]
    assert desc(root) == "Nothing to show yet."
    assert "chart-empty" in (root.get("class") or "")


# --- Summaries in the reader's language ---------------------------------------


def test_timeline_summary_in_english():
    with translation.override("en"):
        root = parse(charts.line_or_bars_over_time(MARCH, title="Coverage"))
    assert desc(root) == (
        "12 items of coverage between March 3 and March 17, 2025; most on March 5 (4)."
    )
    assert "March 5" in texts(root)


def test_timeline_summary_in_french():
    with translation.override("fr"):
        root = parse(charts.line_or_bars_over_time(MARCH, title="Retombées"))
        summary = desc(root)
    # The words are the lead's to translate; dates and numbers are French now.
    assert "3 mars" in summary and "17 mars 2025" in summary and "5 mars (4)" in summary
    assert "5 mars" in texts(root)


def test_summary_of_a_single_day_and_across_years():
    with translation.override("en"):
        one = desc(parse(charts.line_or_bars_over_time([(date(2025, 3, 3), 1)], title="t")))
        years = desc(
            parse(
                charts.line_or_bars_over_time(
                    [(date(2024, 11, 4), 2), (date(2025, 2, 10), 5)], title="t"
                )
            )
        )
    assert one == "1 item of coverage on March 3, 2025."
    assert years == (
        "7 items of coverage between Nov. 4, 2024 and Feb. 10, 2025;"
        " most in the week of Feb. 10, 2025 (5)."
    )


def test_share_summary_and_percentages_add_up():
    with translation.override("en"):
        root = parse(charts.tone_share({"positive": 1, "neutral": 1, "negative": 1}, title="t"))
    assert desc(root) == ("Positive: 1 (34%); Neutral: 1 (33%); Negative: 1 (33%). Total: 3.")
    # Written as text, not told by colour alone: the legend and the segments.
    assert "Negative: 1 (33%)" in texts(root)
    assert "34%" in texts(root)
    assert labels.percentages([2, 1, 0]) == [67, 33, 0]
    assert labels.percentages([0, 0]) == [0, 0]


def test_share_of_tone_keeps_its_colours_whatever_the_brand():
    root = parse(charts.tone_share({"positive": 2, "negative": 1}, title="t"))
    fills = [r.get("fill") for r in plot_rects(root)]
    # Two segments (neutral is zero, so not drawn) then the three swatches.
    assert fills == [
        TONE_COLOURS["positive"],
        TONE_COLOURS["negative"],
        TONE_COLOURS["positive"],
        TONE_COLOURS["neutral"],
        TONE_COLOURS["negative"],
    ]
    with translation.override("en"):
        assert "Neutral: 0 (0%)" in texts(root)


def test_bars_summary_in_french():
    with translation.override("fr"):
        summary = desc(parse(charts.bars([("Quotidiens", 12000), ("Radio", 3)], title="t")))
    assert "Quotidiens\u202f: 12\xa0000" in summary  # French typography: U+202F before ":"


# --- Buckets ------------------------------------------------------------------


def test_step_is_chosen_by_the_length_of_the_period():
    start = date(2025, 1, 1)
    assert choose_step(start, start) is Step.DAY
    assert choose_step(start, start + timedelta(days=30)) is Step.DAY
    assert choose_step(start, start + timedelta(days=31)) is Step.WEEK
    assert choose_step(start, start + timedelta(days=181)) is Step.WEEK
    assert choose_step(start, start + timedelta(days=182)) is Step.MONTH


def test_daily_buckets_are_zero_filled_and_duplicates_added():
    step, rows = buckets([*MARCH, (date(2025, 3, 5), 1)])
    assert step is Step.DAY
    assert len(rows) == 15
    assert [r.count for r in rows[:4]] == [2, 0, 5, 0]
    assert sum(r.count for r in rows) == 13
    assert rows[0].start == date(2025, 3, 3) and rows[-1].end == date(2025, 3, 17)


def test_weekly_buckets_start_on_monday_and_stay_within_the_period():
    # Wednesday 5 March to Sunday 27 April 2025: 54 days, weekly.
    step, rows = buckets(
        [(date(2025, 3, 5), 1), (date(2025, 3, 9), 1), (date(2025, 3, 10), 4)],
        start=date(2025, 3, 5),
        end=date(2025, 4, 27),
    )
    assert step is Step.WEEK
    assert (rows[0].start, rows[0].end, rows[0].count) == (date(2025, 3, 5), date(2025, 3, 9), 2)
    assert (rows[1].start, rows[1].count) == (date(2025, 3, 10), 4)
    assert all(r.start.weekday() == 0 for r in rows[1:])
    assert [r.count for r in rows[2:]] == [0] * 6
    assert rows[-1].end == date(2025, 4, 27)


def test_monthly_buckets_and_points_outside_the_period():
    step, rows = buckets(
        [(date(2024, 12, 31), 9), (date(2025, 1, 15), 1), (date(2025, 9, 1), 2)],
        start=date(2025, 1, 10),
        end=date(2025, 9, 5),
    )
    assert step is Step.MONTH
    assert [r.start for r in rows][:2] == [date(2025, 1, 10), date(2025, 2, 1)]
    assert [r.count for r in rows] == [1, 0, 0, 0, 0, 0, 0, 0, 2]


def test_a_step_too_fine_for_the_period_is_made_coarser():
    step, rows = buckets([(date(2020, 1, 1), 1)], end=date(2024, 12, 31), step=Step.DAY)
    assert step is Step.WEEK and len(rows) <= 400
    step, _rows = buckets([(date(2020, 1, 1), 1)], end=date(2020, 1, 31), step=Step.WEEK)
    assert step is Step.WEEK


def test_the_last_days_of_the_calendar_do_not_overflow():
    _step, rows = buckets([(date.max, 1)], start=date.max - timedelta(days=40), step=Step.MONTH)
    assert rows[-1].end == date.max and rows[-1].count == 1


def test_many_buckets_draw_a_line_few_draw_columns():
    columns = parse(charts.line_or_bars_over_time(MARCH, title="t"))
    assert len(plot_rects(columns)) == 15
    line = parse(
        charts.line_or_bars_over_time(MARCH, title="t", end=date(2025, 6, 30), step=Step.DAY)
    )
    assert not plot_rects(line)
    path = line.find(f"{SVG}path")
    assert path is not None and path.get("d", "").count("L") == 119


# --- Colours --------------------------------------------------------------------


@pytest.mark.parametrize(
    "brand",
    [DEFAULT_BRAND, "#1f6feb", "#ffffff", "#ffff00", "#00ffff", "#808080", "#000", "", None, "red"],
)
def test_the_palette_stays_legible_on_white(brand):
    colours = palette(brand)
    for colour in (colours.primary, colours.text, colours.muted, colours.other, *colours.series):
        assert contrast(colour) >= 4.5, colour
    assert len(set(colours.series)) == len(colours.series)


def test_the_brand_keeps_its_hue_and_a_legible_one_is_kept_as_is():
    assert palette("#1F6FEB").primary == "#1f6feb"
    assert palette("not a colour").primary == DEFAULT_BRAND
    r, g, b = parse_hex(readable("#ffeb3b")) or (0, 0, 0)
    # Darkened towards black, same proportions: yellow stays yellowish.
    assert r > b and g > b and contrast(readable("#ffeb3b")) < 4.7
    assert parse_hex("#abc") == (0xAA, 0xBB, 0xCC)


def test_tone_colours_hold_white_text():
    for colour in TONE_COLOURS.values():
        assert contrast(colour) >= 4.5


def test_brand_colour_fills_the_bars():
    root = parse(charts.bars([("A", 1)], title="t", brand="#ffeb3b"))
    assert plot_rects(root)[0].get("fill") == readable("#ffeb3b")


# --- In the PDF -----------------------------------------------------------------

PRIMARY = (0x1D, 0x4E, 0xD8)


def _render(html: str):
    # Imported here, not skipped if missing: both are pinned dependencies.
    import pypdfium2
    import weasyprint

    document = pypdfium2.PdfDocument(weasyprint.HTML(string=html).write_pdf())
    page = document[0]
    image = page.render(scale=1).to_pil().convert("RGB")
    return image, page.get_textpage().get_text_range()


def _bands(image, colour: tuple[int, int, int]) -> list[int]:
    """Widths (in pixels) of the horizontal bands drawn in `colour`, top to
    bottom: one per bar."""
    width, height = image.size
    pixels = image.load()
    rows = []
    for y in range(height):
        xs = [
            x
            for x in range(width)
            if sum(abs(a - b) for a, b in zip(pixels[x, y], colour, strict=True)) < 40
        ]
        rows.append(max(xs) - min(xs) + 1 if xs else 0)
    bands, current = [], 0
    for value in [*rows, 0]:
        if value:
            current = max(current, value)
        elif current:
            bands.append(current)
            current = 0
    return bands


def test_charts_are_drawn_in_the_pdf():
    with translation.override("en"):
        timeline = charts.line_or_bars_over_time(MARCH, title="Coverage over time")
        reach = charts.bars(
            [("Le Monde", 400_000), ("Ouest-France", 200_000), ("<script>", 100_000)],
            title="Reach by outlet",
        )
        tone = charts.tone_share({"positive": 6, "neutral": 3, "negative": 1}, title="Tone")
    # A4 rasterised at one pixel per point; each chart in a block of known height.
    html = (
        "<html><head><style>@page { size: A4; margin: 0 }"
        " body { margin: 0 } div { width: 595pt; height: 280pt; overflow: hidden }"
        "</style></head><body>"
        f"<div>{timeline}</div><div>{reach}</div><div>{tone}</div></body></html>"
    )
    image, text = _render(html)
    width = image.size[0]

    def ink(top: int, bottom: int) -> float:
        region = image.crop((0, top, width, bottom)).convert("L")
        dark = sum(region.histogram()[:200])
        return dark / (width * (bottom - top))

    assert ink(0, 280) > 0.03
    assert ink(280, 560) > 0.03
    assert ink(560, 842) > 0.03

    # The three bars of the reach chart: lengths in the ratio of the values.
    widths = _bands(image.crop((0, 280, width, 560)), PRIMARY)
    assert len(widths) == 3, widths
    assert widths[0] > widths[1] > widths[2] > 0
    assert widths[0] / widths[1] == pytest.approx(2, rel=0.05)
    assert widths[1] / widths[2] == pytest.approx(2, rel=0.1)

    # The labels are real text in the PDF, escaped label included.
    for expected in ("Coverage over time", "400,000", "<script>", "Positive: 6 (60%)", "March 5"):
        assert expected in text

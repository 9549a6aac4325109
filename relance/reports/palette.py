"""Chart colours: the client's brand colour, made readable.

A brand colour is chosen for a logo, not for text on white: pale yellows
and light cyans are common. Every colour a chart fills a bar with or writes
in is darkened, keeping its hue, until it reaches the WCAG AA contrast for
text (4.5:1) against white. The bars then read in print and for readers
with low vision, and white text on a bar is just as legible.
"""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass
from functools import lru_cache

RGB = tuple[int, int, int]

# Agency.primary_color's default: a client without a colour of its own
# gets the same blue as the application.
DEFAULT_BRAND = "#1d4ed8"
WHITE = "#ffffff"
AA_TEXT = 4.5

# Tone keeps the same colours whatever the brand: a client's red brand must
# not make its good press look like bad press. All three hold white text.
TONE_COLOURS = {
    "positive": "#1a7f37",
    "neutral": "#59636e",
    "negative": "#cf222e",
}

_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def parse_hex(value: object) -> RGB | None:
    """`(r, g, b)` for "#1f6feb", "1f6feb" or "#1fe"; None for anything else."""
    if not isinstance(value, str):
        return None
    match = _HEX.fullmatch(value.strip())
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def to_hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: RGB) -> float:
    """WCAG 2 relative luminance."""
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str | RGB, b: str | RGB = WHITE) -> float:
    """WCAG 2 contrast ratio between two colours, from 1 to 21."""
    la, lb = (luminance(_rgb(c)) for c in (a, b))
    high, low = max(la, lb), min(la, lb)
    return (high + 0.05) / (low + 0.05)


def _rgb(colour: str | RGB) -> RGB:
    if isinstance(colour, tuple):
        return colour
    rgb = parse_hex(colour)
    if rgb is None:
        raise ValueError(f"Not a colour: {colour!r}")
    return rgb


def _towards_black(rgb: RGB, share: float) -> RGB:
    r, g, b = (round(c * (1 - share)) for c in rgb)
    return (r, g, b)


def readable(colour: str | RGB, minimum: float = AA_TEXT) -> str:
    """`colour`, darkened as little as needed to reach `minimum` contrast
    against white. Mixing with black keeps the hue, which is what makes
    the brand recognisable."""
    rgb = _rgb(colour)
    if contrast(rgb) >= minimum:
        return to_hex(rgb)
    # Binary search on the share of black, on the rounded colour itself so
    # that the result, not an ideal one, meets the minimum.
    low, high = 0.0, 1.0
    for _ in range(24):
        middle = (low + high) / 2
        if contrast(_towards_black(rgb, middle)) >= minimum:
            high = middle
        else:
            low = middle
    return to_hex(_towards_black(rgb, high))


@dataclass(frozen=True)
class Palette:
    """The colours of one client's charts. Every colour but `grid` passes
    4.5:1 against white (`grid` draws only decorative lines)."""

    primary: str
    series: tuple[str, ...]
    text: str = "#1f2328"
    muted: str = "#59636e"
    other: str = "#6e7781"
    grid: str = "#d8dee4"


# Hue offsets (in turns) for the categories after the brand's own: each new
# colour lands far from the ones before it, so neighbours never look alike.
_OFFSETS = (0.0, 0.5, 0.25, 0.75, 0.125, 0.625, 0.375, 0.875)


@lru_cache(maxsize=64)
def palette(brand: str | None = None) -> Palette:
    """The palette for a brand colour such as `Client.primary_color`; a
    blank or invalid value gives the default palette."""
    rgb = parse_hex(brand) or parse_hex(DEFAULT_BRAND)
    assert rgb is not None
    hue, light, saturation = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    series = []
    for index, offset in enumerate(_OFFSETS):
        # A grey brand has no hue to turn: the other categories get some
        # colour, or they would all be the same grey.
        sat = saturation if index == 0 or saturation >= 0.35 else 0.55
        # Nor has a black one any lightness to play with.
        r, g, b = colorsys.hls_to_rgb((hue + offset) % 1.0, min(max(light, 0.35), 0.6), sat)
        shade = rgb if index == 0 else (round(r * 255), round(g * 255), round(b * 255))
        series.append(readable(shade))
    return Palette(primary=series[0], series=tuple(series))

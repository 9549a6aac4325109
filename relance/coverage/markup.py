"""Small readings of HTML: the text of a feed's HTML summary, a page's
declared canonical address and language. The standard library's parser is
enough for these and never fails on broken markup."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urljoin

# Elements whose end starts a new line of text.
_BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
}  # fmt: skip
_SKIPPED = {"script", "style", "noscript", "template", "svg", "head"}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_LINES = re.compile(r"\n\s*\n+")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip = max(self._skip - 1, 0)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Readable plain text of an HTML fragment: paragraphs on their own
    lines, scripts and styles dropped, entities decoded."""
    if not markup:
        return ""
    if "<" not in markup:
        return _tidy(html.unescape(markup))
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    return _tidy("".join(parser.parts))


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _LINES.sub("\n\n", "\n".join(lines)).strip()


class _HeadParser(HTMLParser):
    """Reads <html lang> and <link rel=canonical>; stops at <body>, where
    neither belongs (a canonical link in the body is usually a widget's)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.canonical = ""
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "html":
            self.lang = values.get("lang", "") or values.get("xml:lang", "")
        elif tag == "link" and not self.canonical:
            rels = values.get("rel", "").lower().split()
            if "canonical" in rels and values.get("href"):
                self.canonical = values["href"].strip()
        elif tag == "body":
            self.done = True


def head_facts(markup: str, base_url: str) -> tuple[str, str]:
    """(language code such as "fr", absolute canonical URL) declared by a
    page; each "" when absent."""
    parser = _HeadParser()
    # The head is at the start; a few hundred kilobytes covers inline scripts.
    head = markup[:300_000]
    end = head.lower().find("<body")
    parser.feed(head if end < 0 else head[: end + 5] + ">")
    language = parser.lang.strip().split("-")[0].split("_")[0].lower()[:2]
    canonical = urljoin(base_url, parser.canonical) if parser.canonical else ""
    return (language if language.isalpha() else ""), canonical

"""The one address an article is stored under.

The same article reaches us as `https://WWW.Example.fr/a?utm_source=rss#top`
from the feed, as `https://www.example.fr/a?xtor=RSS-1` from a newsletter,
and declares `<link rel="canonical" href="https://www.example.fr/a">`.
Lower-casing the scheme and host, dropping the fragment, the default port
and the tracking parameters makes these one key; the page's canonical link,
when it points within the same site, settles the rest.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

# Query parameters that only say how a reader arrived: analytics campaigns
# (Google, Matomo/Piwik, AT Internet's xtor used by most French media, Adobe,
# HubSpot, Mailchimp, Marketo) and click identifiers of ad networks.
_TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "at_", "hsa_", "oly_", "wt.", "_hs", "ga_")
_TRACKING = {
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
    "ttclid", "li_fat_id", "igshid", "mc_cid", "mc_eid", "mkt_tok", "xtor", "xts", "xtref",
    "_ga", "_gl", "ncid", "cmpid", "sr_share", "ito", "ocid", "s_cid", "spm", "vero_id",
    "__twitter_impression", "amp_js_v", "amp_gsa", "usqp", "outputtype",
}  # fmt: skip
# Sub-domains that serve the same articles as the main site.
_SAME_SITE_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_SAFE = "/%:@!$&'()*+,;=-._~"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SLASHES = re.compile(r"/{2,}")


def _tracking(name: str) -> bool:
    key = name.lower()
    return key in _TRACKING or key.startswith(_TRACKING_PREFIXES)


def canonicalize(url: str) -> str:
    """The comparable form of an http(s) URL; "" for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return ""
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(_SLASHES.sub("/", parts.path) or "/", safe=_SAFE)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)]
    query = urlencode(pairs, doseq=True, safe=_SAFE)
    return urlunsplit((scheme, netloc, path, query, ""))


def site(url: str) -> str:
    """The host without the prefixes a site serves the same pages under."""
    host = (urlsplit(url).hostname or "").lower()
    for prefix in _SAME_SITE_PREFIXES:
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host


def same_site(a: str, b: str) -> bool:
    first, second = site(a), site(b)
    if not first or not second:
        return False
    return first == second or first.endswith("." + second) or second.endswith("." + first)


def choose(url: str, declared: str = "") -> str:
    """The canonical URL of a page fetched from `url` that declares
    `declared` as its canonical link.

    A declaration pointing to another site is ignored: a partner that
    republishes a wire story often declares the wire's or the first outlet's
    address, and that copy is coverage in its own right, kept as a copy
    (Article.duplicate_of) rather than merged away."""
    mine = canonicalize(url)
    if declared and same_site(url, declared):
        theirs = canonicalize(declared)
        if theirs:
            return theirs
    return mine

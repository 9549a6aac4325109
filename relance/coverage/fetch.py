"""A careful HTTP client for monitoring: feeds and the articles they link to.

Feed URLs are typed by users and articles are linked from third-party feeds,
so every URL is hostile until proven otherwise. Without care, a feed URL such
as `http://169.254.169.254/latest/meta-data/` or `http://intranet:8080/`
would make the server probe the agency's own network and store the answers
as "articles". So:

* only http and https, no credentials in the URL, no proxy from the
  environment (a proxy would resolve names out of our sight);
* the host name is resolved here, every address it resolves to must be a
  public one (no loopback, private, link-local, multicast, reserved or
  unspecified address, IPv4 or IPv6, including IPv4 hidden in IPv6), and the
  connection goes to the address that was checked, not to a second
  resolution of the name, which a hostile DNS server could answer
  differently (DNS rebinding); the Host header and TLS SNI still carry the
  name, so virtual hosting and certificate checks work;
* redirects are followed by hand, at most RELANCE_FETCH_MAX_REDIRECTS, and
  each new location goes through the same checks;
* a total deadline (a watchdog closes the socket, so a server dripping one
  byte a second cannot hold a worker), a connect timeout, and a size limit
  on the body as received and as decompressed (chunked or gzip bodies have
  no honest Content-Length).

Politeness: a User-Agent saying who we are, conditional requests (ETag and
Last-Modified, so an unchanged feed costs a 304), gzip, and a minimum
interval between two requests to the same host from this process.

Tests serve pages from loopback, which the checks refuse; the only way
around is RELANCE_FETCH_ALLOW_HOSTS, a set of exact "host:port" strings
(empty by default) that skip the address check for that host and port only.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.coverage import charsets

# Defaults; each can be changed by the setting of the same name.
DEFAULTS: dict[str, object] = {
    "RELANCE_FETCH_MAX_BYTES": 5 * 1024 * 1024,
    "RELANCE_FETCH_CONNECT_TIMEOUT": 5.0,
    "RELANCE_FETCH_TIMEOUT": 20.0,
    "RELANCE_FETCH_MAX_REDIRECTS": 5,
    # One request per host per second at most: news sites serve feeds and
    # pages from the same host, and a burst of 50 article fetches right after
    # a feed poll is what gets a monitoring service blocked.
    "RELANCE_FETCH_MIN_INTERVAL": 1.0,
    "RELANCE_FETCH_ALLOW_HOSTS": frozenset(),
    "RELANCE_FETCH_USER_AGENT": "",
}
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
    "application/json;q=0.8, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
REDIRECTS = {301, 302, 303, 307, 308}
# Worth trying again later; other 4xx answers are the page's final word.
TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504}
_CHUNK = 64 * 1024
# Characters left as they are in a request path or query; the rest is
# percent-encoded (http.client refuses spaces and non-ASCII in a request line).
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _setting(name: str) -> object:
    return getattr(settings, name, DEFAULTS[name])


def _float(name: str) -> float:
    value = _setting(name)
    if isinstance(value, int | float | str):
        return float(value)
    raise ImproperlyConfigured(f"{name} must be a number.")


def user_agent() -> str:
    configured = str(_setting("RELANCE_FETCH_USER_AGENT") or "")
    if configured:
        return configured
    return f"Relance/0.1 (press coverage monitoring; +{settings.BASE_URL})"


class FetchError(Exception):
    """A fetch that did not give a usable answer; the message says why, for
    the feed's error column and the command's output.

    `code` is stable for programs: bad_url, blocked, dns, connect, tls,
    timeout, too_large, redirects, http_status, protocol. `transient` says
    whether trying again later may succeed."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        transient: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.transient = transient
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int  # 200-299, or 304 for "not modified"
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")

    def text(self) -> str:
        return charsets.decode(self.body, self.content_type)[0]


# --- Where a URL may lead -------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str  # lower case, IDNA-encoded, without brackets
    port: int
    path: str  # the request target: path and query, percent-encoded

    @property
    def host_port(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise FetchError(
            _("“%(url)s” is not a valid URL.") % {"url": url}, code="bad_url"
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(
            _("Only http and https addresses can be fetched, not “%(url)s”.") % {"url": url},
            code="bad_url",
        )
    if parts.username is not None or parts.password is not None:
        raise FetchError(
            _("Addresses with a user name or password are not fetched: “%(url)s”.") % {"url": url},
            code="bad_url",
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchError(_("“%(url)s” names no host.") % {"url": url}, code="bad_url")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise FetchError(
            _("“%(url)s” names an invalid host.") % {"url": url}, code="bad_url"
        ) from None
    path = quote(parts.path or "/", safe=_SAFE_PATH)
    if parts.query:
        path += "?" + quote(parts.query, safe=_SAFE_QUERY)
    return _Target(
        url=url,
        scheme=scheme,
        host=host.lower(),
        port=port or (443 if scheme == "https" else 80),
        path=path,
    )


def resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, in the resolver's order. The one
    place that asks DNS (tests stand in for it here)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    return seen


def refusal(address: str) -> str | None:
    """Why this address must not be fetched from, or None for a public one."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return _("not an IP address")
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4 inside IPv6 (::ffff:127.0.0.1, 6to4, Teredo, NAT64) reaches
        # the IPv4 address: judge that one too.
        embedded: list[ipaddress.IPv4Address] = []
        if ip.ipv4_mapped:
            embedded.append(ip.ipv4_mapped)
        if ip.sixtofour:
            embedded.append(ip.sixtofour)
        if ip.teredo:
            embedded.extend(ip.teredo)
        if ip in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        for inner in embedded:
            reason = refusal(str(inner))
            if reason:
                return reason
        if ip.ipv4_mapped:
            return None
    if ip.is_loopback:
        return _("a loopback address")
    if ip.is_unspecified:
        return _("an unspecified address")
    if ip.is_link_local:
        return _("a link-local address")
    if ip.is_multicast:
        return _("a multicast address")
    if ip.is_private:
        return _("a private address")
    if ip.is_reserved:
        return _("a reserved address")
    if not ip.is_global:
        return _("not a public address")
    return None


def _allowed_hosts() -> set[str]:
    value = _setting("RELANCE_FETCH_ALLOW_HOSTS")
    if isinstance(value, str):
        return {value.lower()} if value else set()
    if isinstance(value, list | tuple | set | frozenset):
        return {str(v).lower() for v in value}
    return set()


def vetted_addresses(target: _Target) -> list[str]:
    """The addresses to connect to for this target, all checked; raises
    FetchError if the name does not resolve or any address is refused (a
    name answering one public and one private address is a rebinding trick
    or a misconfiguration, both reasons to stay away)."""
    try:
        addresses = resolve(target.host, target.port)
    except (OSError, UnicodeError):
        raise FetchError(
            _("The host %(host)s could not be found.") % {"host": target.host},
            code="dns",
            transient=True,
        ) from None
    if not addresses:
        raise FetchError(
            _("The host %(host)s could not be found.") % {"host": target.host},
            code="dns",
            transient=True,
        )
    if target.host_port in _allowed_hosts():
        return addresses
    for address in addresses:
        reason = refusal(address)
        if not reason:
            continue
        values = {"url": target.url, "host": target.host, "address": address, "reason": reason}
        if target.host == address:
            message = _("Refused to fetch %(url)s: %(address)s is %(reason)s.") % values
        else:
            message = _("Refused to fetch %(url)s: %(host)s resolves to %(address)s, %(reason)s.")
            message %= values
        raise FetchError(message, code="blocked")
    return addresses


# --- Politeness -----------------------------------------------------------------------


class _HostPacer:
    """Spaces requests to one host by a minimum interval, across threads of
    this process. Each caller reserves the next free slot under the lock and
    sleeps outside it, so concurrent callers queue up instead of all
    firing when the interval ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def wait(self, host: str, interval: float) -> float:
        if interval <= 0:
            return 0.0
        with self._lock:
            now = time.monotonic()
            if len(self._next) > 10_000:  # forget hosts whose slot has passed
                self._next = {h: t for h, t in self._next.items() if t > now}
            slot = max(now, self._next.get(host, 0.0))
            self._next[host] = slot + interval
        delay = slot - now
        if delay > 0:
            time.sleep(delay)
        return delay

    def reset(self) -> None:
        with self._lock:
            self._next.clear()


pacer = _HostPacer()


# --- The exchange ---------------------------------------------------------------------


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP connection to a checked address, speaking to the host by name
    (Host header); `connect` never resolves the name again."""

    def __init__(self, target: _Target, address: str, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedTLSConnection(_PinnedConnection):
    default_port = 443
    context = ssl.create_default_context()

    def connect(self) -> None:
        super().connect()
        # SNI and the certificate check use the name, not the address.
        self.sock = self.context.wrap_socket(self.sock, server_hostname=self.host)


class _Watchdog:
    """Closes the connection at the deadline, whatever it is blocked in
    (TLS handshake, headers read one slow line at a time, body)."""

    def __init__(self, conn: http.client.HTTPConnection, seconds: float) -> None:
        self.fired = False
        self._conn = conn
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        sock = self._conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max((when - timezone.now()).total_seconds(), 0.0)


def _decoder(encoding: str) -> zlib._Decompress | None:
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None


def _too_large(target: _Target, limit: int) -> FetchError:
    return FetchError(
        _("%(url)s is larger than %(size)d KB; not read.")
        % {"url": target.url, "size": limit // 1024},
        code="too_large",
    )


def _read_body(resp: http.client.HTTPResponse, target: _Target, limit: int) -> bytes:
    length = resp.getheader("content-length")
    if length and length.strip().isdigit() and int(length) > limit:
        raise _too_large(target, limit)
    encoding = (resp.getheader("content-encoding") or "").strip().lower()
    decoder = _decoder(encoding)
    parts: list[bytes] = []
    received = 0
    size = 0
    while True:
        # read1: one socket read at most, so the limit is checked as bytes
        # arrive (a chunked body of several gigabytes is never held).
        chunk = resp.read1(_CHUNK)
        if not chunk:
            break
        received += len(chunk)
        if received > limit:
            raise _too_large(target, limit)
        if decoder is not None:
            try:
                chunk = decoder.decompress(chunk, limit + 1 - size)
            except zlib.error:
                raise FetchError(
                    _("%(url)s sent a damaged compressed body.") % {"url": target.url},
                    code="protocol",
                    transient=True,
                ) from None
            if decoder.unconsumed_tail:
                raise _too_large(target, limit)  # a compression bomb
        size += len(chunk)
        if size > limit:
            raise _too_large(target, limit)
        parts.append(chunk)
    if decoder is not None:
        tail = decoder.flush()
        size += len(tail)
        if size > limit:
            raise _too_large(target, limit)
        parts.append(tail)
    return b"".join(parts)


def _connect(target: _Target, addresses: list[str], timeout: float) -> _PinnedConnection:
    cls = _PinnedTLSConnection if target.scheme == "https" else _PinnedConnection
    last: OSError | None = None
    for address in addresses:
        conn = cls(target, address, timeout)
        try:
            conn.connect()
            return conn
        except ssl.SSLError as exc:
            conn.close()
            raise FetchError(
                _("Secure connection to %(host)s failed: %(error)s")
                % {"host": target.host, "error": exc.reason or exc},
                code="tls",
            ) from None
        except OSError as exc:
            conn.close()
            last = exc
    if isinstance(last, TimeoutError | socket.timeout):
        raise FetchError(
            _("%(host)s did not answer in time.") % {"host": target.host},
            code="timeout",
            transient=True,
        )
    raise FetchError(
        _("Could not connect to %(host)s: %(error)s")
        % {"host": target.host, "error": getattr(last, "strerror", None) or last},
        code="connect",
        transient=True,
    )


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: bytes = b""
    location: str = ""


def _exchange(
    target: _Target,
    addresses: list[str],
    request_headers: dict[str, str],
    deadline: float,
    limit: int,
) -> _Answer:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _timeout(target)
    connect_timeout = min(_float("RELANCE_FETCH_CONNECT_TIMEOUT"), remaining)
    conn = _connect(target, addresses, connect_timeout)
    watchdog = _Watchdog(conn, deadline - time.monotonic())
    try:
        if conn.sock is not None:
            conn.sock.settimeout(max(deadline - time.monotonic(), 0.001))
        conn.putrequest("GET", target.path, skip_accept_encoding=True)
        for name, value in request_headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        headers = {k.lower(): v for k, v in resp.getheaders()}
        status = resp.status
        if status in REDIRECTS:
            return _Answer(status, headers, location=headers.get("location", ""))
        if status == 304:
            return _Answer(status, headers)
        if not 200 <= status < 300:
            raise FetchError(
                _("%(url)s answered %(status)d %(reason)s.")
                % {"url": target.url, "status": status, "reason": resp.reason},
                code="http_status",
                status=status,
                transient=status in TRANSIENT_STATUSES,
                retry_after=_retry_after(headers.get("retry-after")),
            )
        body = _read_body(resp, target, limit)
        if watchdog.fired:  # the socket was closed under us: the body is cut
            raise _timeout(target)
        return _Answer(status, headers, body=body)
    except FetchError:
        if watchdog.fired:
            raise _timeout(target) from None
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if watchdog.fired or isinstance(exc, TimeoutError | socket.timeout):
            raise _timeout(target) from None
        raise FetchError(
            _("%(url)s sent a broken answer: %(error)s")
            % {"url": target.url, "error": exc.__class__.__name__},
            code="protocol",
            transient=True,
        ) from None
    finally:
        watchdog.cancel()
        conn.close()


def _timeout(target: _Target) -> FetchError:
    return FetchError(
        _("%(url)s took too long to answer.") % {"url": target.url},
        code="timeout",
        transient=True,
    )


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    accept: str = PAGE_ACCEPT,
) -> Response:
    """GET `url` safely (see the module's doc); a 304 comes back as a
    Response with `not_modified`. Raises FetchError for anything else than
    a usable answer."""
    limit = int(_float("RELANCE_FETCH_MAX_BYTES"))
    max_redirects = int(_float("RELANCE_FETCH_MAX_REDIRECTS"))
    interval = _float("RELANCE_FETCH_MIN_INTERVAL")
    deadline = time.monotonic() + _float("RELANCE_FETCH_TIMEOUT")
    headers = {
        "User-Agent": user_agent(),
        "Accept": accept,
        # Not deflate: servers disagree on what it means (zlib or raw).
        "Accept-Encoding": "gzip",
        "Connection": "close",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    for _hop in range(max_redirects + 1):
        target = _target(current)
        addresses = vetted_addresses(target)
        # Waiting for our turn is politeness, not the server's slowness.
        deadline += pacer.wait(target.host, interval)
        answer = _exchange(target, addresses, headers, deadline, limit)
        if answer.status in REDIRECTS:
            if not answer.location:
                raise FetchError(
                    _("%(url)s redirects nowhere.") % {"url": current}, code="protocol"
                )
            current = urljoin(current, answer.location.strip())
            continue
        return Response(url=current, status=answer.status, headers=answer.headers, body=answer.body)
    raise FetchError(
        _("%(url)s redirects more than %(count)d times.") % {"url": url, "count": max_redirects},
        code="redirects",
    )

"""The monitoring fetcher against a real HTTP server on loopback: conditional
requests, redirects, slow and huge answers, gzip, lying charsets, pacing;
then every way a URL could make the server reach a private network, all
refused before any connection is made.

Loopback is refused like any private address; the tests reach their
server only through RELANCE_FETCH_ALLOW_HOSTS, exactly "127.0.0.1:PORT"
(or "localhost:PORT" where the test says so), and the SSRF tests run with
it empty. As a safety net, any connection to an address other than
loopback fails the test: no test traffic ever leaves this machine.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from relance.coverage import charsets, fetch
from relance.coverage.fetch import FetchError

# A self-signed certificate for feeds.journal.example (valid until 2126),
# made for these tests with openssl.
TLS = Path(__file__).parent / "data" / "coverage" / "tls"
RSS = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    b"<item><title>Un</title><link>https://journal.example/1</link></item></channel></rss>"
)


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Conditional requests answered like a real server.
    etag: str = ""
    last_modified: str = ""
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


class LocalSite:
    """A real HTTP/1.1 server on 127.0.0.1 serving the routes a test sets;
    it records each request's path and headers."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                site.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = site.routes.get(self.path)
                if route is None:
                    return self._send(404, b"not found", {})
                if route.handler:
                    return route.handler(self)
                conditional = (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                    route.last_modified
                    and self.headers.get("If-Modified-Since") == route.last_modified
                )
                headers = dict(route.headers)
                if route.etag:
                    headers["ETag"] = route.etag
                if route.last_modified:
                    headers["Last-Modified"] = route.last_modified
                if conditional:
                    return self._send(304, b"", headers)
                return self._send(route.status, route.body, headers)

            def _send(self, status, body, headers):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        # A short poll interval: shutting down waits for one.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    server = LocalSite()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(autouse=True)
def _fetch_settings(settings):
    settings.RELANCE_FETCH_MIN_INTERVAL = 0
    settings.RELANCE_FETCH_TIMEOUT = 5.0
    settings.RELANCE_FETCH_ALLOW_HOSTS = frozenset()
    fetch.pacer.reset()


def loopback_only(monkeypatch) -> None:
    """Safety net: a connection anywhere but loopback fails the test."""
    real = socket.create_connection

    def guarded(address, *args, **kwargs):
        host = address[0]
        if host not in ("127.0.0.1", "::1"):
            raise AssertionError(f"a test tried to connect to {host}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(fetch.socket, "create_connection", guarded)


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    loopback_only(monkeypatch)


@pytest.fixture
def allowed(settings, site):
    settings.RELANCE_FETCH_ALLOW_HOSTS = frozenset({site.host_port})
    return site


# --- Plain fetching -------------------------------------------------------------------


def test_fetch_sends_a_polite_request(allowed):
    allowed.routes["/feed.xml"] = Route(body=RSS, headers={"Content-Type": "application/rss+xml"})
    response = fetch.fetch(allowed.url("/feed.xml"), accept=fetch.FEED_ACCEPT)
    assert response.status == 200 and response.body == RSS
    assert response.content_type == "application/rss+xml"
    (_path, headers), *_ = allowed.requests
    assert headers["user-agent"].startswith("Relance/")
    assert "application/rss+xml" in headers["accept"]
    assert headers["host"] == allowed.host_port
    assert "gzip" in headers["accept-encoding"]


def test_conditional_get_with_etag(allowed):
    allowed.routes["/feed.xml"] = Route(body=RSS, etag='"v1"')
    first = fetch.fetch(allowed.url("/feed.xml"))
    assert first.status == 200 and first.etag == '"v1"'
    again = fetch.fetch(allowed.url("/feed.xml"), etag=first.etag)
    assert again.not_modified and again.body == b""
    assert allowed.requests[1][1]["if-none-match"] == '"v1"'


def test_conditional_get_with_last_modified(allowed):
    stamp = "Mon, 09 Mar 2026 08:00:00 GMT"
    allowed.routes["/feed.xml"] = Route(body=RSS, last_modified=stamp)
    first = fetch.fetch(allowed.url("/feed.xml"))
    assert first.last_modified == stamp
    again = fetch.fetch(allowed.url("/feed.xml"), last_modified=stamp)
    assert again.not_modified
    assert allowed.requests[1][1]["if-modified-since"] == stamp


def test_gzip_bodies_are_decompressed(allowed):
    allowed.routes["/feed.xml"] = Route(
        body=gzip.compress(RSS), headers={"Content-Encoding": "gzip"}
    )
    assert fetch.fetch(allowed.url("/feed.xml")).body == RSS


def test_redirects_are_followed(allowed):
    allowed.routes["/old"] = Route(status=301, headers={"Location": "/older"})
    allowed.routes["/older"] = Route(status=302, headers={"Location": allowed.url("/feed.xml")})
    allowed.routes["/feed.xml"] = Route(body=RSS)
    response = fetch.fetch(allowed.url("/old"))
    assert response.body == RSS
    assert response.url == allowed.url("/feed.xml")


def test_too_many_redirects(allowed, settings):
    settings.RELANCE_FETCH_MAX_REDIRECTS = 5
    for i in range(10):
        allowed.routes[f"/r{i}"] = Route(status=307, headers={"Location": f"/r{i + 1}"})
    with pytest.raises(FetchError) as caught:
        fetch.fetch(allowed.url("/r0"))
    assert caught.value.code == "redirects"
    assert len(allowed.requests) == 6  # the first request and five redirects


def test_http_errors_say_whether_to_retry(allowed):
    allowed.routes["/busy"] = Route(status=503, headers={"Retry-After": "120"})
    allowed.routes["/gone"] = Route(status=410)
    with pytest.raises(FetchError) as busy:
        fetch.fetch(allowed.url("/busy"))
    assert (busy.value.code, busy.value.status, busy.value.transient) == ("http_status", 503, True)
    assert busy.value.retry_after == 120
    with pytest.raises(FetchError) as gone:
        fetch.fetch(allowed.url("/gone"))
    assert (gone.value.status, gone.value.transient) == (410, False)
    assert "410" in str(gone.value)


# --- Slow and huge --------------------------------------------------------------------


def _slow(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(1.5)
    with_body(handler, b"late")


def _drip(handler: BaseHTTPRequestHandler) -> None:
    """Headers at once, then one byte every 50 ms: each read is quick, only
    a total deadline stops it."""
    handler.send_response(200)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    try:
        for _ in range(1000):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass


def with_body(handler: BaseHTTPRequestHandler, body: bytes) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    with contextlib.suppress(OSError):  # the client may have given up
        handler.wfile.write(body)


def test_a_slow_server_times_out(allowed, settings):
    settings.RELANCE_FETCH_TIMEOUT = 0.5
    allowed.routes["/slow"] = Route(handler=_slow)
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch.fetch(allowed.url("/slow"))
    assert caught.value.code == "timeout" and caught.value.transient
    assert time.monotonic() - started < 1.4


def test_a_dripping_server_is_cut_at_the_deadline(allowed, settings):
    settings.RELANCE_FETCH_TIMEOUT = 0.5
    allowed.routes["/drip"] = Route(handler=_drip)
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch.fetch(allowed.url("/drip"))
    assert caught.value.code == "timeout"
    assert time.monotonic() - started < 1.5


def _chunked_forever(handler: BaseHTTPRequestHandler) -> None:
    """A chunked body with no announced length, 64 KB a chunk, for 50 MB."""
    handler.send_response(200)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"<p>" + b"a" * (64 * 1024 - 7) + b"</p>"
    try:
        for _ in range(800):
            handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        handler.wfile.write(b"0\r\n\r\n")
    except OSError:
        pass


def test_size_limit(allowed, settings):
    settings.RELANCE_FETCH_MAX_BYTES = 200_000
    allowed.routes["/big"] = Route(body=b"a" * 300_000)
    allowed.routes["/chunked"] = Route(handler=_chunked_forever)
    # 50 MB of zeros compress to about 50 KB: the limit is on what comes out.
    allowed.routes["/bomb"] = Route(
        body=gzip.compress(b"\0" * 50_000_000), headers={"Content-Encoding": "gzip"}
    )
    allowed.routes["/fits"] = Route(body=b"a" * 150_000)
    for path in ("/big", "/chunked", "/bomb"):
        with pytest.raises(FetchError) as caught:
            fetch.fetch(allowed.url(path))
        assert caught.value.code == "too_large", path
    assert len(fetch.fetch(allowed.url("/fits")).body) == 150_000


def test_default_limits_are_sane():
    assert fetch.DEFAULTS["RELANCE_FETCH_MAX_BYTES"] == 5 * 1024 * 1024
    assert fetch.DEFAULTS["RELANCE_FETCH_MAX_REDIRECTS"] == 5
    assert fetch.DEFAULTS["RELANCE_FETCH_ALLOW_HOSTS"] == frozenset()


# --- Encodings ------------------------------------------------------------------------

FRENCH = "Café, élan, œuvre – 10 € « déjà »"


def test_windows_1252_served_as_utf8(allowed):
    allowed.routes["/page"] = Route(
        body=f"<html><body><p>{FRENCH}</p></body></html>".encode("cp1252"),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    assert FRENCH in fetch.fetch(allowed.url("/page")).text()


def test_utf8_served_as_latin1(allowed):
    allowed.routes["/page"] = Route(
        body=f"<html><body><p>{FRENCH}</p></body></html>".encode(),
        headers={"Content-Type": "text/html; charset=ISO-8859-1"},
    )
    assert FRENCH in fetch.fetch(allowed.url("/page")).text()


def test_meta_charset_without_header(allowed):
    body = f'<html><head><meta charset="windows-1252"></head><body>{FRENCH}</body></html>'
    allowed.routes["/page"] = Route(
        body=body.encode("cp1252"), headers={"Content-Type": "text/html"}
    )
    assert FRENCH in fetch.fetch(allowed.url("/page")).text()


@pytest.mark.parametrize(
    ("body", "content_type", "text", "encoding"),
    [
        ("é".encode("utf-8-sig"), "text/html; charset=cp1252", "é", "utf-8"),  # BOM wins
        ("é".encode("cp1252"), "text/html; charset=nonsense", "é", "cp1252"),
        ("€".encode("cp1252"), "text/html; charset=iso-8859-1", "€", "cp1252"),  # as browsers
        ("ü".encode("iso8859-15"), "text/plain; charset=iso-8859-15", "ü", "iso8859-15"),
        (b"plain", "", "plain", "ascii"),
        (b"caf\xe9 \x81", "", "café \ufffd", "cp1252"),  # 0x81: undefined in cp1252
        (
            '<?xml version="1.0" encoding="windows-1252"?><a>é</a>'.encode("cp1252"),
            "",
            None,
            "cp1252",
        ),
    ],
)
def test_decode(body, content_type, text, encoding):
    decoded, used = charsets.decode(body, content_type)
    if text is not None:
        assert decoded == text
    assert used == encoding


def test_pacing_between_requests_to_one_host(allowed, settings):
    settings.RELANCE_FETCH_MIN_INTERVAL = 0.3
    allowed.routes["/a"] = Route(body=b"a")
    started = time.monotonic()
    for _ in range(3):
        fetch.fetch(allowed.url("/a"))
    assert time.monotonic() - started >= 0.6


# --- Address safety (SSRF) ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1.2.3:8080/admin",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",  # carrier-grade NAT, not public
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[::]/",
        "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
        "http://2130706433/",  # 127.0.0.1 written as one number
        "http://0x7f.1/",
        "http://localhost/",  # resolves to loopback
    ],
)
def test_private_and_special_addresses_are_refused(url):
    with pytest.raises(FetchError) as caught:
        fetch.fetch(url)
    assert caught.value.code == "blocked", str(caught.value)
    assert "Refused" in str(caught.value)


def test_our_own_server_is_refused_without_the_allow_setting(site):
    site.routes["/feed.xml"] = Route(body=RSS)
    with pytest.raises(FetchError) as caught:
        fetch.fetch(site.url("/feed.xml"))
    assert caught.value.code == "blocked"
    assert "loopback" in str(caught.value)
    assert site.requests == []  # refused before connecting


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch):
    monkeypatch.setattr(fetch, "resolve", lambda host, port: ["10.20.30.40"])
    with pytest.raises(FetchError) as caught:
        fetch.fetch("https://intranet.agence.example/wiki")
    assert caught.value.code == "blocked"
    assert "10.20.30.40" in str(caught.value) and "private" in str(caught.value)


def test_one_private_answer_among_public_ones_is_enough_to_refuse(monkeypatch):
    monkeypatch.setattr(fetch, "resolve", lambda host, port: ["93.184.215.14", "192.168.0.10"])
    with pytest.raises(FetchError) as caught:
        fetch.fetch("http://rebind.example/")
    assert caught.value.code == "blocked"


def test_a_redirect_to_loopback_is_refused(settings, site):
    """The first host is allowed (by name); its redirect to 127.0.0.1 is
    checked again and refused."""
    settings.RELANCE_FETCH_ALLOW_HOSTS = frozenset({f"localhost:{site.port}"})
    site.routes["/go"] = Route(status=302, headers={"Location": site.url("/feed.xml")})
    site.routes["/feed.xml"] = Route(body=RSS)
    with pytest.raises(FetchError) as caught:
        fetch.fetch(site.url("/go", host="localhost"))
    assert caught.value.code == "blocked"
    assert [path for path, _ in site.requests] == ["/go"]


@pytest.mark.parametrize(
    "location",
    ["http://10.0.0.7/internal", "http://[::1]:22/", "file:///etc/passwd", "gopher://x.example/"],
)
def test_redirects_to_private_or_other_schemes_are_refused(allowed, location):
    allowed.routes["/go"] = Route(status=301, headers={"Location": location})
    with pytest.raises(FetchError) as caught:
        fetch.fetch(allowed.url("/go"))
    assert caught.value.code in ("blocked", "bad_url")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example/feed.xml",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://user:secret@news.example/feed",
        "http:///no-host",
        "http://news.example:99999/",
        "not a url",
    ],
)
def test_only_plain_http_urls(url):
    with pytest.raises(FetchError) as caught:
        fetch.fetch(url)
    assert caught.value.code == "bad_url"


def test_the_checked_address_is_the_one_connected_to(settings, site, monkeypatch):
    """No second resolution (DNS rebinding): the name is resolved once per
    request, the connection goes to that address, and the Host header
    still carries the name."""
    calls = []

    def resolver(host, port):
        calls.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(fetch, "resolve", resolver)
    settings.RELANCE_FETCH_ALLOW_HOSTS = frozenset({f"feeds.journal.example:{site.port}"})
    site.routes["/feed.xml"] = Route(body=RSS)
    response = fetch.fetch(f"http://feeds.journal.example:{site.port}/feed.xml")
    assert response.body == RSS
    assert calls == ["feeds.journal.example"]
    assert site.requests[0][1]["host"] == f"feeds.journal.example:{site.port}"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:93.184.215.14", True),
        ("127.0.0.1", False),
        ("10.1.1.1", False),
        ("192.0.2.1", False),  # documentation range
        ("198.18.0.1", False),  # benchmarking range
        ("255.255.255.255", False),
        ("2002:7f00:1::", False),  # 6to4 wrapping 127.0.0.1
        ("ff02::1", False),
        ("fe80::1%eth0", False),
    ],
)
def test_refusal_by_address(address, public):
    assert (fetch.refusal(address) is None) is public


def test_the_allow_setting_is_exact(settings, site):
    settings.RELANCE_FETCH_ALLOW_HOSTS = frozenset({f"127.0.0.1:{site.port + 1}"})
    with pytest.raises(FetchError):
        fetch.fetch(site.url("/"))


def test_echoed_headers_are_json_safe(allowed):
    """A feed's server sees the configured User-Agent."""

    def echo(handler):
        with_body(handler, json.dumps(dict(handler.headers.items())).encode())

    allowed.routes["/echo"] = Route(handler=echo)
    body = json.loads(fetch.fetch(allowed.url("/echo")).body)
    assert "press coverage monitoring" in body["User-Agent"]


# --- TLS ------------------------------------------------------------------------------


@pytest.fixture
def tls_site(settings, monkeypatch):
    """An HTTPS server for feeds.journal.example on loopback; the name
    resolves to 127.0.0.1 here, and the server records the SNI it gets."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
    names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    server = LocalSite(tls=context)
    server.names = names
    monkeypatch.setattr(fetch, "resolve", lambda host, port: ["127.0.0.1"])
    settings.RELANCE_FETCH_ALLOW_HOSTS = frozenset({f"feeds.journal.example:{server.port}"})
    try:
        yield server
    finally:
        server.close()


def test_tls_speaks_to_the_name_at_the_checked_address(tls_site, monkeypatch):
    trusting = ssl.create_default_context(cafile=str(TLS / "cert.pem"))
    monkeypatch.setattr(fetch._PinnedTLSConnection, "context", trusting)
    tls_site.routes["/feed.xml"] = Route(body=RSS)
    response = fetch.fetch(f"https://feeds.journal.example:{tls_site.port}/feed.xml")
    assert response.body == RSS
    assert tls_site.names == ["feeds.journal.example"]  # SNI
    assert tls_site.requests[0][1]["host"] == f"feeds.journal.example:{tls_site.port}"


def test_an_untrusted_certificate_is_refused(tls_site):
    tls_site.routes["/feed.xml"] = Route(body=RSS)
    with pytest.raises(FetchError) as caught:
        fetch.fetch(f"https://feeds.journal.example:{tls_site.port}/feed.xml")
    assert caught.value.code == "tls"
    assert tls_site.requests == []

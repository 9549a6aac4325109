"""Logging in and out, and the login rate limiter."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from relance.accounts.models import LoginFailure
from relance.accounts.ratelimit import LOGIN_LIMITER, client_ip
from tests.conftest import PASSWORD

START = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)
WRONG = "not-the-password"


def attempt(username: str, password: str, ip: str = "127.0.0.1", **extra):
    """One login attempt from a fresh browser at `ip`."""
    http = HttpClient()
    response = http.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )
    return http, response


def signed_in(http: HttpClient) -> bool:
    return "_auth_user_id" in http.session


# --- Logging in and out ---------------------------------------------------


def test_login_page_has_the_form_the_reset_link_and_autofocus(db):
    response = HttpClient().get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in html and "autofocus" in html
    assert reverse("password_reset") in html
    assert 'for="id_password"' in html


def test_login_goes_home_and_logout_goes_back_to_login(cast):
    http, response = attempt("officer", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert signed_in(http)
    assert "Officer" in http.get(reverse("home")).content.decode()

    assert http.get(reverse("logout")).status_code == 405  # logging out is a POST
    response = http.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "You are logged out." in response.content.decode()
    assert not signed_in(http)
    assert http.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_login_follows_next_but_only_within_the_site(cast):
    http = HttpClient()
    page = http.get(reverse("login") + "?next=/profile/").content.decode()
    assert '<input type="hidden" name="next" value="/profile/">' in page
    response = http.post(
        reverse("login") + "?next=/profile/", {"username": "officer", "password": PASSWORD}
    )
    assert response["Location"] == "/profile/"
    response = HttpClient().post(
        reverse("login") + "?next=https://evil.example/",
        {"username": "officer", "password": PASSWORD},
    )
    assert response["Location"] == reverse("home")


def test_signed_in_user_visiting_login_goes_home(login):
    response = login("manager").get(reverse("login"))
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_wrong_password_shows_an_error_and_counts_a_failure(cast):
    http, response = attempt("officer", WRONG, ip="192.0.2.7")
    assert response.status_code == 200 and not signed_in(http)
    assert response.context["form"].errors["__all__"]
    assert 'role="alert"' in response.content.decode()
    row = LoginFailure.objects.get()
    assert (row.username, row.ip) == ("officer", "192.0.2.7")


def test_inactive_user_cannot_log_in_even_with_the_right_password(cast):
    http, response = attempt("outsider", PASSWORD)
    assert response.status_code == 200 and not signed_in(http)
    # Same message as a wrong password: the page never tells which accounts exist.
    _other, wrong = attempt("officer", WRONG)
    assert response.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()


def test_successful_login_saves_the_users_language_in_the_cookie(cast):
    cast["officer"].language = "fr"
    cast["officer"].save()
    http, _response = attempt("officer", PASSWORD)
    assert http.cookies["django_language"].value == "fr"


# --- Rate limiting --------------------------------------------------------


def test_too_many_failures_for_one_username_pause_it_from_any_address(cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    with time_machine.travel(START, tick=False) as clock:
        for n in range(5):
            _http, response = attempt("manager", WRONG, ip=f"198.51.100.{n + 1}")
            assert response.status_code == 200
            clock.shift(dt.timedelta(seconds=30))
        # The right password, from an address never seen: still refused, and
        # the password is not even checked (nothing more is recorded).
        http, response = attempt("manager", PASSWORD, ip="203.0.113.9")
        assert response.status_code == 429 and not signed_in(http)
        html = response.content.decode()
        assert "Too many failed attempts" in html and "try again in 13 minutes" in html
        assert response["Retry-After"] == str(15 * 60 - 5 * 30)
        assert LoginFailure.objects.count() == 5

        # Other users are not affected.
        http, response = attempt("officer", PASSWORD, ip="203.0.113.9")
        assert signed_in(http)

        # Once the first failure leaves the 15-minute window, one try is allowed again.
        clock.move_to(START + dt.timedelta(minutes=15, seconds=1))
        http, response = attempt("manager", PASSWORD, ip="203.0.113.9")
        assert response.status_code == 302 and signed_in(http)


def test_too_many_failures_from_one_address_pause_it_for_every_username(cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    with time_machine.travel(START, tick=False) as clock:
        for name in ["a", "b", "c", "d", "e"]:
            attempt(name, WRONG, ip="192.0.2.50")
        http, response = attempt("director", PASSWORD, ip="192.0.2.50")
        assert response.status_code == 429 and not signed_in(http)
        assert "try again in 15 minutes" in response.content.decode()

        http, _response = attempt("director", PASSWORD, ip="192.0.2.51")
        assert signed_in(http)

        clock.shift(dt.timedelta(minutes=15, seconds=1))
        http, _response = attempt("director", PASSWORD, ip="192.0.2.50")
        assert signed_in(http)


def test_limit_and_window_come_from_settings(cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 60
    with time_machine.travel(START, tick=False) as clock:
        attempt("intern", WRONG, ip="192.0.2.1")
        attempt("intern", WRONG, ip="192.0.2.2")
        _http, response = attempt("intern", PASSWORD, ip="192.0.2.3")
        assert response.status_code == 429
        assert "try again in 1 minute." in response.content.decode()
        clock.shift(dt.timedelta(seconds=61))
        http, _response = attempt("intern", PASSWORD, ip="192.0.2.3")
        assert signed_in(http)


def test_success_clears_the_usernames_failures_but_not_the_addresses(cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    with time_machine.travel(START, tick=False):
        for n in range(4):
            attempt("cm", WRONG, ip=f"198.51.100.{n + 1}")
        http, _response = attempt("cm", PASSWORD, ip="198.51.100.1")
        assert signed_in(http)
        assert not LoginFailure.objects.filter(username="cm").exists()
        # Four more failures would have made eight without the reset.
        for n in range(4):
            attempt("cm", WRONG, ip=f"198.51.100.{n + 10}")
        http, _response = attempt("cm", PASSWORD, ip="198.51.100.20")
        assert signed_in(http)


def test_usernames_are_counted_case_insensitively(cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for n, name in enumerate(["Officer", "OFFICER", "officer"]):
        attempt(name, WRONG, ip=f"198.51.100.{n + 1}")
    _http, response = attempt("officer", PASSWORD, ip="198.51.100.99")
    assert response.status_code == 429


def test_expired_failures_are_purged_when_new_ones_are_recorded(cast):
    with time_machine.travel(START, tick=False) as clock:
        attempt("officer", WRONG, ip="192.0.2.1")
        attempt("manager", WRONG, ip="192.0.2.2")
        clock.shift(dt.timedelta(hours=1))
        attempt("intern", WRONG, ip="192.0.2.3")
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["intern"]


def test_limiter_namespaces_do_not_mix(db):
    # A password-reset request never counts as a login failure, and a
    # username typed with a leading "#" never lands in another namespace.
    from relance.accounts.ratelimit import PASSWORD_RESET_LIMITER

    for _ in range(6):
        PASSWORD_RESET_LIMITER.hit("someone@example.org", "192.0.2.1")
    assert LOGIN_LIMITER.blocked_until("someone@example.org", "192.0.2.1") is None
    assert LOGIN_LIMITER.key("#reset:abc").startswith("~")
    assert "someone" not in PASSWORD_RESET_LIMITER.key("someone@example.org")


@pytest.mark.parametrize(
    ("remote_addr", "expected"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"),  # one /64 is one client
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("", None),
        ("not an address", None),
    ],
)
def test_client_ip_reads_remote_addr_only(rf, remote_addr, expected):
    request = rf.get("/", REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_ip(request) == expected

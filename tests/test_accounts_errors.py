"""Error pages: our templates, the right status codes, and a 500 page that
renders without a request context or a database."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.urls import include, path


def _forbidden(request):
    raise PermissionDenied("Your role does not allow this.")


def _bad(request):
    raise SuspiciousOperation("tampered")


def _broken(request):
    raise RuntimeError("boom")


# This module doubles as a URLconf: the site plus three views that fail.
urlpatterns = [
    path("boom/forbidden/", _forbidden),
    path("boom/bad/", _bad),
    path("boom/broken/", _broken),
    path("", include("relance.urls")),
]

pytestmark = pytest.mark.urls(__name__)


def template_names(response) -> list[str]:
    return [t.name for t in response.templates]


def test_permission_denied_anywhere_renders_403(login):
    response = login("officer").get("/boom/forbidden/")
    assert response.status_code == 403
    assert "403.html" in template_names(response)
    html = response.content.decode()
    assert "You cannot see this page" in html and "Your role does not allow this." in html
    assert "Officer" in html  # extends base.html: the signed-in header is there


def test_unknown_pages_render_404(login):
    response = login("officer").get("/no/such/page/")
    assert response.status_code == 404 and "404.html" in template_names(response)
    assert "Page not found" in response.content.decode()


def test_404_for_visitors_too(db):
    response = HttpClient().get("/no/such/page/")
    assert response.status_code == 404 and b"Page not found" in response.content


def test_bad_requests_render_400(login):
    response = login("officer").get("/boom/bad/")
    assert response.status_code == 400 and "400.html" in template_names(response)


def test_server_errors_render_500(login):
    http = login("officer")
    http.raise_request_exception = False
    response = http.get("/boom/broken/")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


def test_500_page_needs_no_context_and_no_database():
    # No `db` fixture: any query would raise here.
    html = render_to_string("500.html")
    assert '<html lang="en">' in html and "Server error" in html

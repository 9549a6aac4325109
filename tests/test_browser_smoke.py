import pytest

from tests.browser import browser, page, signed_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_through_the_form_lands_on_home(signed_in):
    pg = signed_in("officer")
    assert pg.url.rstrip("/").endswith(pg.url.split("/")[2])  # back at the site root
    assert "Officer" in pg.inner_text("header")

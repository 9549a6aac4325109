"""The profile page, the password change, and the language switcher."""

from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse

from relance.accounts.models import User
from relance.audit.models import AuditEntry
from tests.conftest import PASSWORD

PROFILE = {
    "first_name": "Marie",
    "last_name": "Tremblay",
    "email": "marie@agency.example",
    "language": "en",
    "time_zone": "America/Montreal",
    "phone": "(514) 555-0134",
}


def test_profile_needs_a_signed_in_user(db):
    response = HttpClient().get(reverse("profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_profile_shows_the_users_details(login):
    response = login("officer").get(reverse("profile"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="officer@agency.example"' in html
    assert "Press officer" in html  # the role, read-only
    assert '<option value="America/Montreal">' in html


def test_saving_the_profile_updates_the_user_and_the_audit_trail(cast, login):
    http = login("officer")
    response = http.post(reverse("profile"), PROFILE, follow=True)
    assert response.redirect_chain == [(reverse("profile"), 302)]
    assert "Your profile has been saved." in response.content.decode()
    user = User.objects.get(username="officer")
    assert (user.first_name, user.last_name, user.email) == ("Marie", "Tremblay", PROFILE["email"])
    assert user.time_zone == "America/Montreal"
    assert user.phone == "+15145550134"  # stored E.164, read in Canada for a Montreal user
    entry = AuditEntry.objects.get(action="profile_update")
    assert entry.actor == user and entry.target_id == user.pk
    assert entry.changes["first_name"] == ["Officer", "Marie"]
    assert "language" not in entry.changes  # unchanged fields are not listed


def test_choosing_french_switches_the_interface_at_once(cast, login):
    http = login("officer")
    response = http.post(reverse("profile"), {**PROFILE, "language": "fr"}, follow=True)
    assert User.objects.get(username="officer").language == "fr"
    assert response.context["LANGUAGE_CODE"] == "fr"
    assert '<html lang="fr">' in response.content.decode()
    assert http.cookies["django_language"].value == "fr"


def test_profile_errors_name_the_field(cast, login):
    http = login("officer")
    response = http.post(
        reverse("profile"), {**PROFILE, "email": "manager@agency.example", "phone": "12"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Another account already uses this e-mail address." in errors["email"]
    assert errors["phone"]
    html = response.content.decode()
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert 'id="id_email_error"' in html
    assert User.objects.get(username="officer").email == "officer@agency.example"


def test_a_time_zone_outside_the_list_is_refused(login):
    response = login("officer").post(reverse("profile"), {**PROFILE, "time_zone": "Mars/Olympus"})
    assert "time_zone" in response.context["form"].errors


def test_changing_the_password_keeps_the_session(cast, login):
    http = login("manager")
    response = http.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase-7",
            "new_password2": "another-long-passphrase-7",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    assert http.get(reverse("profile")).status_code == 200  # still signed in
    assert User.objects.get(username="manager").check_password("another-long-passphrase-7")
    assert AuditEntry.objects.filter(action="password_change").count() == 1


def test_password_change_with_a_wrong_old_password_is_refused(cast, login):
    response = login("manager").post(
        reverse("password_change"),
        {
            "old_password": "nope",
            "new_password1": "x-long-one-99",
            "new_password2": "x-long-one-99",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["old_password"]


# --- The footer's language switcher ---------------------------------------


def test_switcher_saves_the_language_on_the_signed_in_user(cast, login):
    http = login("officer")
    response = http.post(reverse("set_language"), {"language": "fr", "next": "/profile/"})
    assert response.status_code == 302 and response["Location"] == "/profile/"
    assert User.objects.get(username="officer").language == "fr"
    # On another device (a fresh session, no cookie) it is French too.
    other = HttpClient()
    other.force_login(User.objects.get(username="officer"))
    page = other.get(reverse("profile"))
    assert page.context["LANGUAGE_CODE"] == "fr" and '<html lang="fr">' in page.content.decode()


def test_switcher_for_visitors_only_sets_the_cookie(db):
    http = HttpClient()
    http.post(reverse("set_language"), {"language": "fr", "next": "/login/"})
    page = http.get(reverse("login"))
    assert page.context["LANGUAGE_CODE"] == "fr"


def test_switcher_ignores_unknown_languages(cast, login):
    http = login("officer")
    http.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert User.objects.get(username="officer").language == "en"


def test_footer_posts_to_the_switcher(login):
    html = login("officer").get(reverse("home")).content.decode()
    assert f'action="{reverse("set_language")}"' in html

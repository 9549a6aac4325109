"""The team page: everyone in the team reads it, directors manage it (new
accounts with a typed password or an e-mailed invitation, roles, call
capacity, deactivation); and the friendly page for an expired form."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relance.accounts.models import ApiToken, Role, User
from relance.audit.models import AuditEntry
from tests.conftest import PASSWORD

BASE_URL = "https://relance.example.org"
LINK = re.compile(re.escape(BASE_URL) + r"/reset/[^/\s\"<]+/[^/\s\"<]+/")
NEW_PASSWORD = "a-brand-new-passphrase-42"

NEWCOMER = {
    "username": "claire",
    "first_name": "Claire",
    "last_name": "Dubois",
    "email": "claire@agency.example",
    "phone": "06 12 34 56 78",
    "role": Role.PRESS_OFFICER,
    "client": "",
    "daily_call_capacity": "30",
    "language": "fr",
    "time_zone": "Europe/Paris",
    "access": "invite",
    "password": "",
}


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.BASE_URL = BASE_URL


def can_log_in(username: str, password: str) -> bool:
    http = HttpClient()
    http.post(reverse("login"), {"username": username, "password": password})
    return "_auth_user_id" in http.session


def member_data(user: User, **changes) -> dict:
    """The edit form as the page fills it for `user`, with `changes`."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "role": user.role,
        "client": user.client_id or "",
        "daily_call_capacity": user.daily_call_capacity,
        "language": user.language,
        "time_zone": user.time_zone,
    }
    return {**data, **changes}


# --- Who may see what ---------------------------------------------------------

STAFF = ("manager", "officer", "intern", "cm")
PAGES = {
    # page: (expected for the director, for the rest of the team, for a client viewer)
    "team": (200, 200, 403),
    "team_create": (200, 403, 403),
    "team_edit": (200, 403, 403),
}


def _url(name: str, cast) -> str:
    return reverse(name, args=[cast["officer"].pk]) if name == "team_edit" else reverse(name)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["director", *STAFF, "viewer", "outsider", None])
def test_who_may_open_each_team_page(cast, login, name, who):
    director, staff, viewer = PAGES[name]
    expected = {"director": director, "viewer": viewer, "outsider": 302, None: 302}.get(who, staff)
    http = login(who) if who else HttpClient()
    response = http.get(_url(name, cast))
    assert response.status_code == expected, (name, who)
    if expected == 302:  # the deactivated outsider is signed out like a visitor
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "name", ["team_create", "team_edit", "team_deactivate", "team_reactivate", "team_invite"]
)
@pytest.mark.parametrize("who", [*STAFF, "viewer"])
def test_only_directors_may_change_the_team(cast, login, name, who):
    args = [] if name == "team_create" else [cast["officer"].pk]
    response = login(who).post(reverse(name, args=args), NEWCOMER)
    assert response.status_code == 403
    assert not User.objects.filter(username="claire").exists()
    assert User.objects.get(username="officer").is_active
    assert not mail.outbox


def test_the_team_reads_the_list_without_the_controls(cast, login):
    cast["cm"].phone = "+33612345678"
    cast["cm"].daily_call_capacity = 12
    cast["cm"].save()
    response = login("intern").get(reverse("team"))
    html = response.content.decode()
    assert "Add a team member" not in html
    assert reverse("team_edit", args=[cast["cm"].pk]) not in html
    for text in ("Cm", "Community manager", "cm@agency.example", "06 12 34 56 78", ">12<"):
        assert text in html, text
    # Client accounts are listed apart, with their client; the outsider is
    # listed as deactivated.
    assert "Client accounts" in html and "Éolia Énergies" in html
    assert "Deactivated" in html


def test_directors_get_the_controls(cast, login):
    html = login("director").get(reverse("team")).content.decode()
    assert f'href="{reverse("team_create")}"' in html
    assert f'href="{reverse("team_edit", args=[cast["cm"].pk])}"' in html


def test_the_team_link_is_in_the_menu_for_directors(login):
    assert f'href="{reverse("team")}"' in login("director").get(reverse("home")).content.decode()


def test_the_team_page_costs_the_same_whatever_the_team_size(cast, login):
    http = login("director")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(reverse("team")).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for n in range(15):
        User.objects.create_user(username=f"extra{n}", role=Role.PRESS_OFFICER)
        User.objects.create_user(
            username=f"viewer{n}", role=Role.CLIENT_VIEWER, client=cast["viewer"].client
        )
    assert queries() == few


def test_the_page_speaks_french(cast, login):
    cast["director"].language = "fr"
    cast["director"].save()
    html = login("director").get(reverse("team_create")).content.decode()
    assert '<html lang="fr">' in html


# --- Creating accounts --------------------------------------------------------


def test_a_director_creates_a_press_officer_with_a_password(cast, login):
    data = {**NEWCOMER, "access": "password", "password": "un-mot-de-passe-solide-7"}
    response = login("director").post(reverse("team_create"), data, follow=True)
    assert response.redirect_chain == [(reverse("team"), 302)]
    assert "Claire Dubois was added." in response.content.decode()
    claire = User.objects.get(username="claire")
    assert claire.role == Role.PRESS_OFFICER and claire.daily_call_capacity == 30
    assert claire.phone == "+33612345678" and claire.language == "fr"
    assert claire.client_id is None
    assert can_log_in("claire", "un-mot-de-passe-solide-7")
    assert not mail.outbox  # the director gives the password themselves
    entry = AuditEntry.objects.get(action="create", target_id=claire.pk)
    assert entry.actor == cast["director"]


def test_an_invitation_lets_the_newcomer_choose_a_password(cast, login):
    response = login("director").post(reverse("team_create"), NEWCOMER, follow=True)
    assert "An invitation to choose a password was sent to claire@agency.example" in (
        response.content.decode()
    )
    claire = User.objects.get(username="claire")
    assert not claire.has_usable_password()
    # Listed as invited until they log in.
    assert "Invited" in response.content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["claire@agency.example"]
    html = next(body for body, kind in message.alternatives if kind == "text/html")
    assert '<html lang="fr">' in html  # Claire's language, not the director's English
    assert "Director" in message.body and "claire" in message.body
    link = LINK.search(message.body).group(0)
    assert link in html
    assert AuditEntry.objects.filter(action="invitation_sent", target_id=claire.pk).exists()

    http = HttpClient()
    response = http.get(link.removeprefix(BASE_URL))
    assert response.status_code == 302  # the token is swapped for a session marker
    response = http.post(
        response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    assert can_log_in("claire", NEW_PASSWORD)
    # The link works once.
    assert b"This link no longer works" in HttpClient().get(link.removeprefix(BASE_URL)).content


def test_an_english_invitee_gets_english_mail(cast, login):
    login("director").post(reverse("team_create"), {**NEWCOMER, "language": "en"})
    message = mail.outbox[0]
    assert message.subject == "Your Relance account at Relance"
    assert "has opened a Relance account for you" in message.body


def test_the_invitation_can_be_sent_again(cast, login):
    http = login("director")
    http.post(reverse("team_create"), NEWCOMER)
    claire = User.objects.get(username="claire")
    page = http.get(reverse("team_edit", args=[claire.pk])).content.decode()
    assert reverse("team_invite", args=[claire.pk]) in page
    response = http.post(reverse("team_invite", args=[claire.pk]), follow=True)
    assert "An invitation was sent to claire@agency.example." in response.content.decode()
    assert len(mail.outbox) == 2
    # Nothing to send to an account without an address.
    response = http.post(reverse("team_invite", args=[cast["outsider"].pk]), follow=True)
    assert len(mail.outbox) == 2


def test_a_client_viewer_is_created_for_a_client(cast, login, client_company):
    data = {**NEWCOMER, "role": Role.CLIENT_VIEWER, "client": str(client_company.pk)}
    login("director").post(reverse("team_create"), data)
    assert User.objects.get(username="claire").client == client_company


def test_the_client_page_link_presets_a_viewer(cast, login, client_company):
    url = reverse("team_create") + f"?role=client_viewer&client={client_company.pk}"
    html = login("director").get(url).content.decode()
    assert '<option value="client_viewer" selected>' in html
    assert f'<option value="{client_company.pk}" selected>' in html


BAD_INPUT = [
    ({"username": "officer"}, "username", "Another user already has this username."),
    ({"username": "two words"}, "username", "Use only letters, digits"),
    ({"email": "not-an-address"}, "email", "not a valid e-mail address"),
    ({"email": "manager@agency.example"}, "email", "Another account already uses this e-mail"),
    ({"email": ""}, "email", "The invitation is sent to this address"),
    ({"phone": "12"}, "phone", "phone number"),
    ({"daily_call_capacity": "500"}, "daily_call_capacity", "from 0 to 200"),
    ({"daily_call_capacity": "lots"}, "daily_call_capacity", "whole number"),
    ({"role": "client_viewer"}, "client", "A client viewer needs the client"),
    ({"role": "emperor"}, "role", "Select a valid choice"),
    ({"client": "999999"}, "client", "Select a valid choice"),
    ({"access": "password"}, "password", "Type a password, or send an invitation"),
    ({"access": "password", "password": "claire"}, "password", "too short"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_input_is_shown_next_to_the_field(cast, login, changes, field, message):
    response = login("director").post(reverse("team_create"), {**NEWCOMER, **changes})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in error for error in errors.get(field, [])), errors
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html  # linked to its input for screen readers
    assert not User.objects.filter(username="claire").exists()
    assert not mail.outbox


def test_a_team_member_cannot_belong_to_a_client(cast, login, client_company):
    data = {**NEWCOMER, "client": str(client_company.pk)}
    response = login("director").post(reverse("team_create"), data)
    assert "Only client viewers belong to a client." in response.context["form"].errors["client"]


# --- Changing accounts --------------------------------------------------------


def test_a_director_changes_a_role_and_a_capacity(cast, login):
    officer = cast["officer"]
    http = login("director")
    page = http.get(reverse("team_edit", args=[officer.pk]))
    assert page.context["form"]["daily_call_capacity"].value() == 25
    data = member_data(officer, role=Role.MANAGER, daily_call_capacity=40)
    response = http.post(reverse("team_edit", args=[officer.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("team")
    officer.refresh_from_db()
    assert (officer.role, officer.daily_call_capacity) == (Role.MANAGER, 40)
    entry = AuditEntry.objects.get(action="update", target_id=officer.pk)
    assert entry.changes["role"] == ["press_officer", "manager"]


def test_edit_errors_stay_on_the_page(cast, login):
    officer = cast["officer"]
    data = member_data(officer, username="manager", daily_call_capacity=-1)
    response = login("director").post(reverse("team_edit", args=[officer.pk]), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"username", "daily_call_capacity"}
    assert User.objects.get(pk=officer.pk).username == "officer"


def test_unknown_accounts_are_404(login):
    http = login("director")
    assert http.get(reverse("team_edit", args=[999999])).status_code == 404
    assert http.post(reverse("team_deactivate", args=[999999])).status_code == 404


def test_the_last_active_director_cannot_be_demoted(cast, login):
    director = cast["director"]
    http = login("director")
    response = http.post(
        reverse("team_edit", args=[director.pk]), member_data(director, role=Role.MANAGER)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["role"]
    assert "The agency needs at least one active director." in errors
    assert User.objects.get(pk=director.pk).role == Role.DIRECTOR


def test_the_last_active_director_cannot_be_deactivated(cast, login):
    director = cast["director"]
    response = login("director").post(reverse("team_deactivate", args=[director.pk]), follow=True)
    assert "The agency needs at least one active director." in response.content.decode()
    assert User.objects.get(pk=director.pk).is_active


def test_with_a_second_director_the_first_may_step_down(cast, login):
    User.objects.create_user(username="boss2", role=Role.DIRECTOR)
    director = cast["director"]
    response = login("director").post(
        reverse("team_edit", args=[director.pk]), member_data(director, role=Role.MANAGER)
    )
    assert response.status_code == 302
    assert User.objects.get(pk=director.pk).role == Role.MANAGER


def test_a_deactivated_member_can_no_longer_log_in(cast, login):
    officer = cast["officer"]
    ApiToken.issue(officer)
    session = login("officer")
    assert session.get(reverse("home")).status_code == 200

    response = login("director").post(reverse("team_deactivate", args=[officer.pk]), follow=True)
    assert "can no longer log in" in response.content.decode()
    officer.refresh_from_db()
    assert not officer.is_active
    assert not can_log_in("officer", PASSWORD)
    # The open session ends too, and so do API tokens.
    response = session.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not ApiToken.objects.filter(user=officer, revoked_at__isnull=True).exists()
    # Still listed, as deactivated, so the team sees who left.
    assert "Deactivated" in login("director").get(reverse("team")).content.decode()

    response = login("director").post(reverse("team_reactivate", args=[officer.pk]), follow=True)
    assert "can log in again" in response.content.decode()
    assert can_log_in("officer", PASSWORD)


def test_deactivation_is_a_post(cast, login):
    response = login("director").get(reverse("team_deactivate", args=[cast["officer"].pk]))
    assert response.status_code == 405
    assert User.objects.get(pk=cast["officer"].pk).is_active


# --- The expired-form page ------------------------------------------------------


def test_an_expired_form_gets_a_friendly_page(cast, settings):
    settings.CSRF_FAILURE_VIEW = "relance.accounts.views_team.csrf_failure"
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(cast["director"])
    team_url = "http://testserver" + reverse("team")
    response = http.post(reverse("team_create"), NEWCOMER, HTTP_REFERER=team_url)
    assert response.status_code == 403
    assert "403_csrf.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "The page was open too long" in html
    assert f'href="{team_url}"' in html  # back to the page the form was on
    assert not User.objects.filter(username="claire").exists()


def test_the_expired_form_page_never_links_elsewhere(cast, settings):
    settings.CSRF_FAILURE_VIEW = "relance.accounts.views_team.csrf_failure"
    http = HttpClient(enforce_csrf_checks=True)
    response = http.post(reverse("login"), {}, HTTP_REFERER="https://evil.example/phish")
    assert response.status_code == 403
    html = response.content.decode()
    assert "evil.example" not in html
    assert "allow cookies" in html  # a visitor without the CSRF cookie is told why


def test_the_expired_form_page_is_translated(cast, settings):
    settings.CSRF_FAILURE_VIEW = "relance.accounts.views_team.csrf_failure"
    cast["director"].language = "fr"
    cast["director"].save()
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(cast["director"])
    response = http.post(reverse("team_create"), NEWCOMER)
    assert response.status_code == 403 and '<html lang="fr">' in response.content.decode()

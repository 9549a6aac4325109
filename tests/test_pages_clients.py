"""The clients pages: the team sees every client, directors and managers edit
them, and a client viewer sees only their own client, never a media list."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from relance.accounts.models import Client, Role, User
from relance.audit.models import AuditEntry
from relance.contacts.models import MediaList

CLIENT = {
    "name": "Brasserie du Plateau",
    "language": "fr",
    "website": "https://brasserieduplateau.example",
    "description": "Microbrasserie montréalaise.",
    "primary_color": "#a0522d",
}


@pytest.fixture
def other_client(db) -> Client:
    return Client.objects.create(name="Hôtel Lumière", language="en")


@pytest.fixture
def lists(client_company, other_client) -> dict[str, MediaList]:
    return {
        "eolia": MediaList.objects.create(
            name="Presse énergie", kind="static", client=client_company
        ),
        "hotel": MediaList.objects.create(name="Tourisme", kind="static", client=other_client),
    }


# --- Who may see what ---------------------------------------------------------

EDITORS = ("director", "manager")
READERS = ("officer", "intern", "cm")
PAGES = {
    # page: (directors and managers, the rest of the team, the client's viewer)
    "client_list": (200, 200, 200),
    "client_detail": (200, 200, 200),
    "client_create": (200, 403, 403),
    "client_edit": (200, 403, 403),
    "client_delete": (200, 403, 403),
}


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", [*EDITORS, *READERS, "viewer", "outsider", None])
def test_who_may_open_each_client_page(login, client_company, name, who):
    editors, readers, viewer = PAGES[name]
    expected = {"viewer": viewer, "outsider": 302, None: 302}.get(
        who, editors if who in EDITORS else readers
    )
    args = [] if name in ("client_list", "client_create") else [client_company.pk]
    http = login(who) if who else HttpClient()
    response = http.get(reverse(name, args=args))
    assert response.status_code == expected, (name, who)
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", [*READERS, "viewer"])
def test_only_directors_and_managers_change_clients(login, client_company, who):
    http = login(who)
    assert http.post(reverse("client_create"), CLIENT).status_code == 403
    edit = reverse("client_edit", args=[client_company.pk])
    assert http.post(edit, {**CLIENT, "name": "Renamed"}).status_code == 403
    assert http.post(reverse("client_delete", args=[client_company.pk])).status_code == 403
    assert list(Client.objects.values_list("name", flat=True)) == ["Éolia Énergies"]


def test_a_viewer_sees_only_their_own_client(login, client_company, other_client, lists):
    http = login("viewer")
    html = http.get(reverse("client_list")).content.decode()
    assert "Éolia Énergies" in html and "Hôtel Lumière" not in html
    assert "New client" not in html
    # Another client is "not found": a viewer does not learn it exists.
    assert http.get(reverse("client_detail", args=[other_client.pk])).status_code == 404
    assert http.get(reverse("client_edit", args=[other_client.pk])).status_code == 403


def test_a_viewer_sees_no_media_lists(login, client_company, lists):
    for page in (reverse("client_list"), reverse("client_detail", args=[client_company.pk])):
        response = login("viewer").get(page)
        html = response.content.decode()
        assert "Presse énergie" not in html and "Media lists" not in html, page
        assert "/lists/" not in html, page


def test_the_team_sees_every_client_and_its_lists(login, client_company, other_client, lists):
    html = login("intern").get(reverse("client_list")).content.decode()
    assert "Éolia Énergies" in html and "Hôtel Lumière" in html
    assert "New client" not in html  # interns read, they do not edit
    detail = login("intern").get(reverse("client_detail", args=[client_company.pk]))
    html = detail.content.decode()
    assert "Presse énergie" in html and "Tourisme" not in html
    assert reverse("contacts:list_detail", args=[lists["eolia"].pk]) in html


def test_the_detail_page_shows_the_clients_viewers(cast, login, client_company):
    html = login("manager").get(reverse("client_detail", args=[client_company.pk])).content
    assert b"viewer@agency.example" in html
    assert reverse("team_edit", args=[cast["viewer"].pk]).encode() not in html  # manager
    html = login("director").get(reverse("client_detail", args=[client_company.pk])).content
    assert reverse("team_edit", args=[cast["viewer"].pk]).encode() in html
    assert b"role=client_viewer&amp;client=" in html  # "give someone at the client an account"


def test_a_viewer_without_a_client_is_refused(cast, login):
    User.objects.filter(pk=cast["viewer"].pk).update(client=None)
    assert login("viewer").get(reverse("client_list")).status_code == 403


# --- Creating, editing, deleting ----------------------------------------------


@pytest.mark.parametrize("who", EDITORS)
def test_directors_and_managers_create_clients(cast, login, who):
    response = login(who).post(reverse("client_create"), CLIENT, follow=True)
    client = Client.objects.get(name="Brasserie du Plateau")
    assert response.redirect_chain == [(reverse("client_detail", args=[client.pk]), 302)]
    assert (client.website, client.primary_color) == (CLIENT["website"], "#a0522d")
    html = response.content.decode()
    assert "Client created." in html and "Microbrasserie montréalaise." in html
    assert AuditEntry.objects.get(action="create", target_type="client").actor == cast[who]


BAD_INPUT = [
    ({"name": ""}, "name", "A client needs a name."),
    ({"name": "EOLIA ENERGIES"}, "name", "Another client already has this name."),
    ({"website": "ftp://files.example"}, "website", "is not a valid http(s) address"),
    ({"primary_color": "blue"}, "primary_color", "Use a colour like #1d4ed8."),
    ({"language": "de"}, "language", "Select a valid choice"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_input_is_shown_next_to_the_field(login, client_company, changes, field, message):
    response = login("manager").post(reverse("client_create"), {**CLIENT, **changes})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in error for error in errors.get(field, [])), errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert Client.objects.count() == 1


def test_editing_a_client(login, client_company):
    url = reverse("client_edit", args=[client_company.pk])
    http = login("manager")
    assert http.get(url).context["form"]["name"].value() == "Éolia Énergies"
    response = http.post(url, {**CLIENT, "name": "Éolia Énergies SA", "language": "en"})
    assert response.status_code == 302
    client_company.refresh_from_db()
    assert (client_company.name, client_company.language) == ("Éolia Énergies SA", "en")
    entry = AuditEntry.objects.get(action="update", target_type="client")
    assert entry.changes["name"] == ["Éolia Énergies", "Éolia Énergies SA"]


def test_keeping_its_own_name_is_not_a_duplicate(login, client_company):
    url = reverse("client_edit", args=[client_company.pk])
    response = login("manager").post(url, {**CLIENT, "name": "Éolia Énergies"})
    assert response.status_code == 302


def test_a_client_with_active_viewers_is_not_deleted(cast, login, client_company):
    url = reverse("client_delete", args=[client_company.pk])
    http = login("director")
    page = http.get(url).content.decode()
    assert "1 active client viewer account belongs to this client" in page
    response = http.post(url)
    assert response.status_code == 400
    assert "Active client viewer accounts belong to this client" in response.content.decode()
    assert Client.objects.filter(pk=client_company.pk).exists()


def test_deleting_a_client_keeps_its_lists(cast, login, client_company, lists):
    User.objects.filter(pk=cast["viewer"].pk).update(is_active=False)
    url = reverse("client_delete", args=[client_company.pk])
    http = login("manager")
    page = http.get(url).content.decode()
    assert "1 deactivated client viewer account is deleted with it." in page
    assert "1 media list stays, without a client." in page
    response = http.post(url, follow=True)
    assert response.redirect_chain == [(reverse("client_list"), 302)]
    assert "Éolia Énergies was deleted." in response.content.decode()
    assert not Client.objects.filter(pk=client_company.pk).exists()
    assert MediaList.objects.get(pk=lists["eolia"].pk).client is None
    assert not User.objects.filter(role=Role.CLIENT_VIEWER).exists()


def test_unknown_clients_are_404(login):
    http = login("manager")
    for name in ("client_detail", "client_edit", "client_delete"):
        assert http.get(reverse(name, args=[999999])).status_code == 404, name


def test_the_clients_link_is_in_the_menu(login):
    html = login("officer").get(reverse("home")).content.decode()
    assert f'href="{reverse("client_list")}"' in html


def test_a_client_with_campaigns_is_not_deleted(cast, login, client_company):
    from .factories import campaign

    User.objects.filter(pk=cast["viewer"].pk).update(is_active=False)
    campaign(cast["manager"], client_id=client_company.pk)
    response = login("director").post(reverse("client_delete", args=[client_company.pk]))
    assert response.status_code == 400
    assert "This client has campaigns" in response.content.decode()
    assert Client.objects.filter(pk=client_company.pk).exists()

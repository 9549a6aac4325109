"""Media lists (fichiers): the index, static lists filled from a search,
saved searches re-run on use, renaming and deleting, who may do what."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from relance.audit.models import AuditEntry
from relance.contacts.models import ListKind, MediaList
from relance.contacts.services.lists import add_members, create_list

from .factories import contact, outlet

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def row_names(response) -> list[str]:
    return re.findall(r'class="contact-name">([^<]+)</a>', response.content.decode())


@pytest.fixture
def media(cast):
    d = cast["director"]
    lyon = outlet(d, "Le Courrier de Lyon")
    radio = outlet(d, "Radio Érable", kind="radio", country="CA", region="QC")
    return {
        "lyon": lyon,
        "radio": radio,
        "dubois": contact(d, "Dubois", outlet_id=lyon.pk, beats=["Énergie"]),
        "tremblay": contact(d, "Tremblay", first_name="Élodie", outlet_id=radio.pk),
        "smith": contact(d, "Smith", first_name="John", outlet_id=radio.pk, beats=["Énergie"]),
    }


def test_index_shows_kinds_and_sizes(login, cast, client_company, media):
    m = cast["manager"]
    static = create_list(m, {"name": "Énergie Lyon", "client_id": client_company.pk})
    add_members(m, static, [media["dubois"].pk])
    create_list(m, {"name": "Radios", "kind": "smart", "filters": {"kind": ["radio"]}})
    html = login("cm").get("/lists/").content.decode().replace("\n", " ")
    energy = re.search(r"Énergie Lyon</a>(.*?)</tr>", html).group(1)
    assert "Static list" in energy and "Éolia Énergies" in energy and "<td>1</td>" in energy
    radios = re.search(r"Radios</a>(.*?)</tr>", html).group(1)
    assert "Saved search" in radios and "<td>2</td>" in radios


def test_create_static_list_then_fill_it_from_the_contacts_page(login, media):
    http = login("officer")
    response = http.post("/lists/new/", {"name": "Presse énergie", "kind": "static"})
    assert response.status_code == 302
    ml = MediaList.objects.get(name="Presse énergie")
    assert ml.kind == ListKind.STATIC and response["Location"] == f"/lists/{ml.pk}/"
    http.post(
        "/contacts/bulk/",
        {"query": "beat=energie", "list": ml.pk, "action": "add", "all_results": "1"},
    )
    detail = http.get(f"/lists/{ml.pk}/")
    assert row_names(detail) == ["Claire Dubois", "John Smith"]
    assert "2 contacts" in detail.content.decode()
    # The contacts page can be narrowed to the list.
    assert row_names(http.get("/contacts/", {"list": ml.pk})) == ["Claire Dubois", "John Smith"]


def test_remove_members_in_bulk_from_the_list_page(login, cast, media):
    ml = create_list(cast["manager"], {"name": "Fichier"})
    add_members(cast["manager"], ml, [c.pk for c in (media["dubois"], media["smith"])])
    http = login("intern")
    response = http.post(f"/lists/{ml.pk}/remove/", {"ids": [media["smith"].pk]}, follow=True)
    assert "1 contact(s) removed" in response.content.decode()
    assert row_names(response) == ["Claire Dubois"]
    empty = http.post(f"/lists/{ml.pk}/remove/", {}, follow=True)
    assert "Select at least one contact" in empty.content.decode()


def test_smart_list_from_the_current_search_is_re_evaluated(login, cast, media):
    http = login("manager")
    search = http.get("/contacts/", {"q": "", "kind": "radio"}).content.decode()
    link = "/lists/new/?kind=smart&amp;search=" + quote("kind=radio", safe="")
    assert link in search
    form = http.get("/lists/new/", {"kind": "smart", "search": "kind=radio"}).content.decode()
    assert 'value="kind=radio"' in form and "Outlet kind: Radio" in form
    response = http.post("/lists/new/", {"name": "Radios", "kind": "smart", "search": "kind=radio"})
    assert response.status_code == 302
    smart = MediaList.objects.get(name="Radios")
    assert smart.filters == {"kind": ["radio"]}
    assert row_names(http.get(f"/lists/{smart.pk}/")) == ["John Smith", "Élodie Tremblay"]
    # A contact added after the search was saved appears at once.
    contact(cast["manager"], "Gagnon", first_name="Luc", outlet_id=media["radio"].pk)
    assert row_names(http.get(f"/lists/{smart.pk}/")) == [
        "Luc Gagnon",
        "John Smith",
        "Élodie Tremblay",
    ]
    assert "Saved search, run again now" in http.get(f"/lists/{smart.pk}/").content.decode()


def test_saved_search_needs_filters(login, media):
    response = login("manager").post("/lists/new/", {"name": "Tout", "kind": "smart", "search": ""})
    assert response.status_code == 200
    assert "A saved search needs at least one filter." in response.content.decode()
    assert not MediaList.objects.exists()


def test_list_name_must_be_unique_and_errors_show(login, cast):
    create_list(cast["manager"], {"name": "Presse"})
    response = login("manager").post("/lists/new/", {"name": "presse", "kind": "static"})
    assert "Another list already has this name." in response.content.decode()
    assert MediaList.objects.count() == 1


def test_rename_describe_and_delete(login, cast, client_company, media):
    ml = create_list(cast["manager"], {"name": "Ancien nom"})
    add_members(cast["manager"], ml, [media["dubois"].pk])
    http = login("cm")
    form = http.get(f"/lists/{ml.pk}/edit/").content.decode()
    assert 'value="Ancien nom"' in form and 'name="kind"' not in form
    response = http.post(
        f"/lists/{ml.pk}/edit/",
        {"name": "Nouveau nom", "description": "Pour Éolia", "client_id": client_company.pk},
    )
    assert response.status_code == 302
    ml.refresh_from_db()
    assert (ml.name, ml.description, ml.client) == ("Nouveau nom", "Pour Éolia", client_company)
    # A community manager may edit a colleague's list, not delete it.
    assert http.post(f"/lists/{ml.pk}/delete/").status_code == 403
    http = login("manager")
    assert "the contacts in it stay" in http.get(f"/lists/{ml.pk}/delete/").content.decode()
    assert http.post(f"/lists/{ml.pk}/delete/").status_code == 302
    assert not MediaList.objects.filter(pk=ml.pk).exists()
    assert media["dubois"].__class__.objects.filter(pk=media["dubois"].pk).exists()
    assert AuditEntry.objects.filter(action="delete", target_type="medialist").exists()


def test_list_paging_is_an_htmx_partial(login, cast, media):
    ml = create_list(cast["manager"], {"name": "Fichier"})
    add_members(cast["manager"], ml, [media["dubois"].pk])
    partial = login("manager").get(f"/lists/{ml.pk}/", {"page": "1"}, headers=HTMX)
    html = partial.content.decode()
    assert "<html" not in html and row_names(partial) == ["Claire Dubois"]
    assert partial["HX-Push-Url"] == f"/lists/{ml.pk}/"


def test_export_link_of_a_list(login, cast, media, monkeypatch):
    import django.urls

    real = django.urls.reverse

    def reverse_with_export(name, *args, **kwargs):
        return "/contacts/export/" if name == "contacts:export" else real(name, *args, **kwargs)

    monkeypatch.setattr(django.urls, "reverse", reverse_with_export)
    static = create_list(cast["manager"], {"name": "Fichier"})
    smart = create_list(
        cast["manager"], {"name": "Radios", "kind": "smart", "filters": {"kind": "radio"}}
    )
    http = login("manager")
    assert (
        f'href="/contacts/export/?list={static.pk}"'
        in http.get(f"/lists/{static.pk}/").content.decode()
    )
    assert 'href="/contacts/export/?kind=radio"' in http.get(f"/lists/{smart.pk}/").content.decode()
    assert "/contacts/export/" not in login("intern").get(f"/lists/{smart.pk}/").content.decode()


def test_list_permissions(login, cast, media):
    ml = create_list(cast["manager"], {"name": "Fichier"})
    pages = [
        ("get", "/lists/"),
        ("get", "/lists/new/"),
        ("get", f"/lists/{ml.pk}/"),
        ("get", f"/lists/{ml.pk}/edit/"),
        ("get", f"/lists/{ml.pk}/delete/"),
        ("post", f"/lists/{ml.pk}/remove/"),
    ]
    viewer = login("viewer")
    for method, url in pages:
        assert getattr(viewer, method)(url).status_code == 403, url
    for role in ("director", "manager", "officer", "intern", "cm"):
        assert login(role).get(f"/lists/{ml.pk}/edit/").status_code == 200, role
    assert login("manager").get("/lists/999999/").status_code == 404

"""The outlet pages: list with search and filters, the outlet page with its
shows and contacts, and creating, editing and deleting outlets and shows."""

from __future__ import annotations

import re
from datetime import time

import pytest

from relance.contacts.models import Contact, Outlet, Show
from relance.contacts.services.outlets import create_show

from .factories import contact, outlet

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def outlet_names(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<td><a href="/outlets/\d+/">([^<]+)</a></td>', html)


@pytest.fixture
def outlets(cast):
    d = cast["director"]
    lyon = outlet(
        d,
        "Le Courrier de Lyon",
        region="Auvergne-Rhône-Alpes",
        city="Lyon",
        audience=120000,
        editorial_line="Quotidien régional, forte rubrique économie",
    )
    radio = outlet(
        d,
        "Radio Érable",
        kind="radio",
        periodicity="continuous",
        country="CA",
        region="QC",
        language="fr",
    )
    mag = outlet(d, "Terre Vivante Mag", periodicity="monthly", lead_time_days=45)
    show = create_show(
        d,
        radio,
        {"name": "Le 15-18", "air_days": [0, 1, 2, 3, 4], "air_start": "15:00", "air_end": "18:00"},
    )
    contact(d, "Tremblay", first_name="Élodie", outlet_id=radio.pk, show_id=show.pk)
    return {"lyon": lyon, "radio": radio, "mag": mag, "show": show}


def outlet_post(**overrides):
    data = {
        "name": "Le Journal des Alpes",
        "kind": "print",
        "periodicity": "weekly",
        "language": "fr",
        "country": "FR",
        "region": "Auvergne-Rhône-Alpes",
        "city": "Grenoble",
        "timezone": "",
        "audience": "45 000",
        "tier": "2",
        "closing_weekday": "2",
        "lead_time_days": "3",
        "website": "https://journal-des-alpes.example",
        "feed_urls": "https://journal-des-alpes.example/rss\nhttps://journal-des-alpes.example/eco.xml",
        "editorial_line": "Hebdomadaire régional",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_outlet_list_search_filters_and_htmx(login, outlets):
    http = login("intern")
    assert outlet_names(http.get("/outlets/")) == [
        "Le Courrier de Lyon",
        "Radio Érable",
        "Terre Vivante Mag",
    ]
    assert outlet_names(http.get("/outlets/", {"q": "erable"})) == ["Radio Érable"]
    assert outlet_names(http.get("/outlets/", {"q": "economie"})) == ["Le Courrier de Lyon"]
    assert outlet_names(http.get("/outlets/", {"kind": "radio"})) == ["Radio Érable"]
    assert outlet_names(http.get("/outlets/", {"periodicity": "monthly"})) == ["Terre Vivante Mag"]
    assert outlet_names(http.get("/outlets/", {"country": "ca"})) == ["Radio Érable"]
    assert outlet_names(http.get("/outlets/", {"region": "qc"})) == ["Radio Érable"]
    partial = http.get("/outlets/", {"q": "", "country": "FR", "kind": "print"}, headers=HTMX)
    assert "<html" not in partial.content.decode()
    assert partial["HX-Push-Url"] == "/outlets/?kind=print&country=FR"
    assert outlet_names(partial) == ["Le Courrier de Lyon", "Terre Vivante Mag"]
    page = http.get(partial["HX-Push-Url"]).content.decode()
    assert 'name="kind" value="print" checked' in page
    # Contacts are counted per outlet on the page.
    full = http.get("/outlets/").content.decode().replace("\n", " ")
    assert (
        re.search(r"Radio Érable</a></td>(.*?)</tr>", full).group(1).strip().endswith("<td>1</td>")
    )


def test_outlet_paging(login, cast):
    Outlet.objects.bulk_create(
        [Outlet(name=f"Titre {i:02d}", name_key=f"titre {i:02d}", kind="web") for i in range(30)]
    )
    http = login("manager")
    first = http.get("/outlets/", {"size": 25})
    assert len(outlet_names(first)) == 25 and "Page 1 of 2" in first.content.decode()
    assert len(outlet_names(http.get("/outlets/", {"size": 25, "page": 2}))) == 5


def test_outlet_page_shows_everything(login, outlets):
    html = login("intern").get(f"/outlets/{outlets['radio'].pk}/").content.decode()
    for text in ("Radio Érable", "Radio", "Continuous", "America/Montreal", "Le 15-18", "Mon, Tue"):
        assert text in html, text
    assert "15:00–18:00" in html
    assert "Élodie Tremblay" in html and "1 contact" in html
    assert "Add a show" in html  # interns edit
    assert f"/outlets/{outlets['radio'].pk}/delete/" not in html  # but do not delete
    lyon = login("manager").get(f"/outlets/{outlets['lyon'].pk}/").content.decode()
    assert "120,000" in lyon and "Quotidien régional" in lyon


def test_create_outlet(login):
    http = login("intern")
    assert http.get("/outlets/new/").status_code == 200
    response = http.post("/outlets/new/", outlet_post())
    assert response.status_code == 302
    o = Outlet.objects.get(name="Le Journal des Alpes")
    assert response["Location"] == f"/outlets/{o.pk}/"
    assert (o.kind, o.periodicity, o.closing_weekday, o.lead_time_days) == ("print", "weekly", 2, 3)
    assert o.audience == 45000 and o.timezone == "Europe/Paris"  # the country's zone
    assert o.feed_urls == [
        "https://journal-des-alpes.example/rss",
        "https://journal-des-alpes.example/eco.xml",
    ]
    assert outlet_names(http.get("/outlets/", {"q": "alpes"})) == ["Le Journal des Alpes"]


def test_invalid_outlet_shows_errors_and_writes_nothing(login):
    response = login("manager").post(
        "/outlets/new/",
        outlet_post(
            name="",
            timezone="Mars/Olympus",
            website="ftp://nope",
            country="France",
            audience="beaucoup",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "An outlet needs a name." in html
    assert "is not a known time zone" in html or "two-letter country code" in html
    assert "is not a valid http(s) address" in html
    assert "Expected a whole number." in html
    assert not Outlet.objects.exists()


def test_edit_outlet_keeps_contacts_searchable(login, outlets):
    http = login("officer")
    radio = outlets["radio"]
    form = http.get(f"/outlets/{radio.pk}/edit/").content.decode()
    assert 'value="Radio Érable"' in form and 'value="America/Montreal"' in form
    response = http.post(
        f"/outlets/{radio.pk}/edit/",
        outlet_post(
            name="Radio Érable Plus",
            kind="radio",
            periodicity="continuous",
            country="CA",
            region="QC",
            timezone="America/Toronto",
            feed_urls="",
        ),
    )
    assert response.status_code == 302
    radio.refresh_from_db()
    assert radio.name == "Radio Érable Plus" and radio.timezone == "America/Toronto"
    contacts = login("officer").get("/contacts/", {"q": "plus"}).content.decode()
    assert "Élodie Tremblay" in contacts


def test_delete_outlet_keeps_its_contacts(login, outlets):
    http = login("officer")
    radio = outlets["radio"]
    confirm = http.get(f"/outlets/{radio.pk}/delete/").content.decode()
    assert "1 contact stays in the database" in confirm and "1 show is deleted" in confirm
    assert http.post(f"/outlets/{radio.pk}/delete/").status_code == 302
    assert not Outlet.objects.filter(pk=radio.pk).exists()
    assert Contact.objects.get(last_name="Tremblay").outlet is None
    assert http.get(f"/outlets/{radio.pk}/").status_code == 404


def test_shows_create_edit_delete(login, outlets):
    http = login("intern")
    radio = outlets["radio"]
    response = http.post(
        f"/outlets/{radio.pk}/shows/new/",
        {"name": "Le Matin", "air_days": ["0", "2", "4"], "air_start": "06:00", "air_end": "09:00"},
    )
    assert response.status_code == 302
    show = Show.objects.get(name="Le Matin")
    assert show.air_days == [0, 2, 4] and show.air_start == time(6) and show.air_end == time(9)
    bad = http.post(
        f"/outlets/{radio.pk}/shows/new/",
        {"name": "Le Matin", "air_start": "10:00", "air_end": "09:00"},
    ).content.decode()
    assert "already has a show with this name" in bad or "must end after it starts" in bad
    assert Show.objects.filter(outlet=radio).count() == 2
    form = http.get(f"/shows/{show.pk}/edit/").content.decode()
    assert 'value="06:00"' in form and re.search(r'value="0"[^>]*checked', form)
    http.post(
        f"/shows/{show.pk}/edit/",
        {"name": "Le Grand Matin", "air_days": ["5"], "air_start": "07:00", "air_end": ""},
    )
    show.refresh_from_db()
    assert show.name == "Le Grand Matin" and show.air_days == [5] and show.air_end is None
    assert http.post(f"/shows/{show.pk}/delete/").status_code == 403  # interns do not delete
    officer = login("officer")
    assert "contacts work on this show" in officer.get(f"/shows/{show.pk}/delete/").content.decode()
    assert officer.post(f"/shows/{show.pk}/delete/").status_code == 302
    assert not Show.objects.filter(pk=show.pk).exists()


def test_outlet_permissions(login, outlets):
    pk, show = outlets["lyon"].pk, outlets["show"].pk
    pages = [
        ("get", "/outlets/"),
        ("get", f"/outlets/{pk}/"),
        ("get", "/outlets/new/"),
        ("get", f"/outlets/{pk}/edit/"),
        ("get", f"/outlets/{pk}/delete/"),
        ("get", f"/outlets/{pk}/shows/new/"),
        ("get", f"/shows/{show}/edit/"),
        ("get", f"/shows/{show}/delete/"),
    ]
    viewer = login("viewer")
    for method, url in pages:
        assert getattr(viewer, method)(url).status_code == 403, url
    intern = login("intern")
    assert intern.get(f"/outlets/{pk}/edit/").status_code == 200
    assert intern.get(f"/outlets/{pk}/delete/").status_code == 403
    assert intern.post(f"/outlets/{pk}/delete/").status_code == 403
    assert Outlet.objects.filter(pk=pk).exists()
    assert login("manager").get("/outlets/999999/").status_code == 404
    assert login("manager").get("/shows/999999/edit/").status_code == 404

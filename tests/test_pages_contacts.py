"""The contacts pages: search and filters with the state in the URL, htmx
partials, bulk list actions, the contact form, the contact page (relations,
timeline, switches, personal data) and who may do what."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relance.audit.models import AuditEntry
from relance.contacts.models import (
    Contact,
    ContactBeat,
    ContactEmail,
    ContactPhone,
    Relationship,
)
from relance.contacts.search import ContactFilters, search_contacts
from relance.contacts.services.beats import beats_for
from relance.contacts.services.contacts import reindex_ids, set_opt_out, set_relationship
from relance.contacts.services.lists import create_list
from relance.contacts.services.outlets import create_show

from .factories import contact, outlet

pytestmark = pytest.mark.django_db

LIST_URL = "/contacts/"
HTMX = {"HX-Request": "true"}


def row_names(response) -> list[str]:
    """Names in the results table, in order."""
    html = response.content.decode()
    return re.findall(r'class="contact-name">([^<]+)</a>', html)


@pytest.fixture
def media(cast):
    d = cast["director"]
    lyon = outlet(d, "Le Courrier de Lyon", country="FR", region="Auvergne-Rhône-Alpes")
    mtl = outlet(d, "La Voix de Montréal", country="CA", region="QC", kind="radio")
    mag = outlet(d, "Terre Vivante Mag", periodicity="monthly")
    dubois = contact(
        d,
        "Dubois",
        first_name="Claire",
        outlet_id=lyon.pk,
        beats=["Écologie", "Énergie"],
        emails=["claire.dubois@courrier.example"],
        phones=["06 12 34 56 78"],
    )
    tremblay = contact(
        d,
        "Tremblay",
        first_name="Élodie",
        outlet_id=mtl.pk,
        beats=["Culture"],
        role="researcher",
        phones=["514 555 0134"],
    )
    lefevre = contact(
        d,
        "Lefèvre",
        first_name="Marc",
        outlet_id=mag.pk,
        beats=["Sciences"],
        notes="Suit l'ÉCOLOGIE urbaine de près",
        opted_out=True,
        vip=True,
    )
    smith = contact(d, "Smith", first_name="John", outlet_id=mtl.pk, language="en")
    set_relationship(d, dubois, cast["officer"], 3, "Old friend")
    return {
        "lyon": lyon,
        "mtl": mtl,
        "mag": mag,
        "dubois": dubois,
        "tremblay": tremblay,
        "lefevre": lefevre,
        "smith": smith,
    }


# --- Search, filters, sort, paging ------------------------------------------------


def test_search_is_accent_and_case_insensitive(login, media):
    response = login("manager").get(LIST_URL, {"q": "ECOLOGIE"})
    assert response.status_code == 200
    assert row_names(response) == ["Claire Dubois", "Marc Lefèvre"]
    assert "2 contacts" in response.content.decode()


def test_filters_combine(login, media):
    http = login("manager")
    assert row_names(http.get(LIST_URL, {"country": "CA"})) == ["John Smith", "Élodie Tremblay"]
    assert row_names(http.get(LIST_URL, {"role": "researcher"})) == ["Élodie Tremblay"]
    assert row_names(http.get(LIST_URL, {"kind": "radio", "language": "en"})) == ["John Smith"]
    assert row_names(http.get(LIST_URL, {"periodicity": "monthly"})) == ["Marc Lefèvre"]
    assert row_names(http.get(LIST_URL, {"beat": "energie"})) == ["Claire Dubois"]
    assert row_names(http.get(LIST_URL, {"owner": "officer"})) == ["Claire Dubois"]
    assert row_names(http.get(LIST_URL, {"opted_out": "yes"})) == ["Marc Lefèvre"]
    assert row_names(http.get(LIST_URL, {"vip": "yes"})) == ["Marc Lefèvre"]
    assert "Élodie Tremblay" in row_names(http.get(LIST_URL, {"opted_out": "no"}))
    assert row_names(http.get(LIST_URL, {"region": "qc", "role": "journalist"})) == ["John Smith"]


def test_sorting_by_column_headers(login, media):
    http = login("manager")
    response = http.get(LIST_URL, {"sort": "-name"})
    assert row_names(response) == ["Élodie Tremblay", "John Smith", "Marc Lefèvre", "Claire Dubois"]
    html = response.content.decode()
    # The name header is marked descending and its link sorts ascending again.
    assert 'aria-sort="descending"' in html
    assert re.search(r'<a href="/contacts/" hx-get="/contacts/"[^>]*>Name', html)
    by_outlet = row_names(http.get(LIST_URL, {"sort": "outlet"}))
    assert by_outlet == ["John Smith", "Élodie Tremblay", "Claire Dubois", "Marc Lefèvre"]


def test_rows_show_what_a_press_officer_needs(login, media):
    html = login("manager").get(LIST_URL).content.decode()
    assert f'href="/contacts/{media["dubois"].pk}/"' in html
    assert "claire.dubois@courrier.example" in html
    assert 'href="tel:+33612345678"' in html
    assert "06 12 34 56 78" in html  # national format
    assert "(514) 555-0134" in html
    assert ">Écologie</span>" in html
    assert "Opted out" in html and ">VIP<" in html
    assert "Officer" in html and "●●●" in html  # who knows them, and how well
    assert "Le Courrier de Lyon" in html


def test_paging_and_page_size(login, cast):
    bulk_contacts(cast, 30, prefix="Nom")
    http = login("manager")
    first = http.get(LIST_URL, {"size": 25})
    assert len(row_names(first)) == 25
    assert "Page 1 of 2" in first.content.decode()
    second = http.get(LIST_URL, {"size": 25, "page": 2})
    assert len(row_names(second)) == 5
    assert 'href="/contacts/?size=25"' in second.content.decode()  # back to the first page
    assert len(row_names(http.get(LIST_URL, {"size": 999}))) == 30  # unknown size: default 50


def test_capped_count_says_more(login, media, monkeypatch):
    import relance.contacts.views.contacts as view
    from relance.contacts.search import Page

    # A search stops counting at its cap: it counted cap + 1 and says "cap+".
    def capped_page(actor, filters, page, size, prepare):
        return Page(items=[], number=1, size=50, count=1001, capped=True)

    monkeypatch.setattr(view, "search_page", capped_page)
    html = login("manager").get(LIST_URL).content.decode()
    assert "1,000+ contacts" in html
    assert "Page 1 of" not in html  # no last page when the count stopped


def test_htmx_gets_only_the_results_and_the_canonical_url(login, media):
    http = login("manager")
    params = {"q": "ecologie", "role": "journalist", "country": "", "region": "", "size": "25"}
    partial = http.get(LIST_URL, params, headers=HTMX)
    html = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in html and 'id="filters"' not in html
    assert row_names(partial) == ["Claire Dubois", "Marc Lefèvre"]
    # The address bar gets the state without the empty fields of the form.
    assert partial["HX-Push-Url"] == "/contacts/?q=ecologie&role=journalist&size=25"
    full = http.get(partial["HX-Push-Url"])
    page = full.content.decode()
    assert "<html" in page and 'id="filters"' in page
    assert row_names(full) == row_names(partial)
    # The form shows the same state, so changing one filter keeps the others.
    assert 'value="ecologie"' in page
    assert 'name="role" value="journalist" checked' in page
    assert '<option value="25" selected>' in page


def test_bad_filters_give_a_gentle_warning(login, media):
    response = login("manager").get(LIST_URL, {"role": "astronaut", "sort": "shoe", "list": "x"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "was not understood and was ignored" in html
    assert "astronaut" in html
    assert len(row_names(response)) == 4


def test_export_link_only_for_roles_that_may_export(login, media, monkeypatch):
    # The export page is built separately: give its URL name a target here.
    import django.urls

    real = django.urls.reverse

    def reverse_with_export(name, *args, **kwargs):
        return "/contacts/export/" if name == "contacts:export" else real(name, *args, **kwargs)

    monkeypatch.setattr(django.urls, "reverse", reverse_with_export)
    html = login("manager").get(LIST_URL, {"q": "ecologie"}).content.decode()
    assert 'href="/contacts/export/?q=ecologie"' in html
    html = login("intern").get(LIST_URL, {"q": "ecologie"}).content.decode()
    assert "/contacts/export/" not in html


# --- A fixed number of queries -----------------------------------------------------


def bulk_contacts(cast, count: int, outlets=(), prefix: str = "Journaliste") -> list[Contact]:
    """Many contacts with beats, two e-mails, a phone and two relationships,
    written in bulk (the services take tens of milliseconds per contact),
    then indexed by the service's own reindexing."""
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                first_name="Anne",
                last_name=f"{prefix}{i:02d}",
                outlet=outlets[i % len(outlets)] if outlets else None,
            )
            for i in range(count)
        ]
    )
    beats = beats_for(["Énergie", *(f"Sujet {n}" for n in range(7))])
    ContactBeat.objects.bulk_create(
        [
            ContactBeat(contact=c, beat=b)
            for i, c in enumerate(contacts)
            for b in (beats[0], beats[1 + i % 7])
        ]
    )
    ContactEmail.objects.bulk_create(
        [
            ContactEmail(contact=c, address=address, is_primary=primary)
            for i, c in enumerate(contacts)
            for address, primary in ((f"j{i}@media.example", True), (f"p{i}@mail.example", False))
        ]
    )
    ContactPhone.objects.bulk_create(
        [
            ContactPhone(contact=c, number=f"+336123456{i:02d}", is_primary=True)
            for i, c in enumerate(contacts)
        ]
    )
    Relationship.objects.bulk_create(
        [
            Relationship(contact=c, user=user, strength=strength)
            for i, c in enumerate(contacts)
            for user, strength in ((cast["officer"], i % 4), (cast["manager"], 2))
        ]
    )
    reindex_ids([c.pk for c in contacts])
    return contacts


@pytest.fixture
def sixty(cast):
    d = cast["director"]
    bulk_contacts(cast, 60, [outlet(d, f"Média {i}") for i in range(5)])


def count_queries(http, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_contacts_page_makes_a_fixed_number_of_queries(login, sixty, django_assert_num_queries):
    http = login("manager")
    http.get(LIST_URL)  # warm the session
    for search in ("", "&q=journaliste&beat=energie", "&sort=outlet&owner=officer"):
        small = count_queries(http, f"/contacts/?size=25{search}")
        large = count_queries(http, f"/contacts/?size=200{search}")
        assert small == large, search
    # Session, user, the matches (count and ids; on SQLite in name order, then
    # the names of the matches around the page to order them exactly), the
    # page's rows with their outlet and show, one more for their primary
    # e-mails, primary phones, beats and relationships, static lists, and the
    # team for the "known by" filter (countries, regions and beats come from a
    # cache: relance/contacts/choices.py), and the agency's pressure on the
    # page's contacts (calls this week, who has them on the phone now: two).
    # Pinned so that a query per row cannot creep in.
    with django_assert_num_queries(10 if connection.vendor == "sqlite" else 9):
        response = http.get("/contacts/?size=200&q=journaliste&beat=energie")
    assert len(row_names(response)) == 60
    with CaptureQueriesContext(connection) as full:
        http.get("/contacts/?size=200&q=journaliste")
    with CaptureQueriesContext(connection) as swap:
        http.get("/contacts/?size=200&q=journaliste", headers=HTMX)
    assert len(swap.captured_queries) == len(full.captured_queries) - 1  # no filter choices


# --- Bulk list actions ----------------------------------------------------------------


def test_bulk_add_selected_then_all_results_then_remove(login, cast, media):
    ml = create_list(cast["manager"], {"name": "Presse écolo"})
    http = login("officer")
    query = "q=ecologie"
    response = http.post(
        "/contacts/bulk/",
        {"query": query, "list": ml.pk, "action": "add", "ids": [media["dubois"].pk]},
    )
    assert response.status_code == 302 and response["Location"] == "/contacts/?q=ecologie"
    assert set(ml.members.values_list("last_name", flat=True)) == {"Dubois"}
    http.post(
        "/contacts/bulk/", {"query": query, "list": ml.pk, "action": "add", "all_results": "1"}
    )
    assert set(ml.members.values_list("last_name", flat=True)) == {"Dubois", "Lefèvre"}
    follow = http.post(
        "/contacts/bulk/",
        {"query": query, "list": ml.pk, "action": "remove", "ids": [media["lefevre"].pk]},
        follow=True,
    )
    assert "1 contact(s) removed" in follow.content.decode()
    assert set(ml.members.values_list("last_name", flat=True)) == {"Dubois"}


def test_bulk_without_selection_or_on_a_smart_list_explains(login, cast, media):
    smart = create_list(
        cast["manager"], {"name": "Radio", "kind": "smart", "filters": {"kind": "radio"}}
    )
    http = login("manager")
    nothing = http.post(
        "/contacts/bulk/", {"query": "", "list": smart.pk, "action": "add"}, follow=True
    )
    assert "Select at least one contact" in nothing.content.decode()
    refused = http.post(
        "/contacts/bulk/",
        {"query": "", "list": smart.pk, "action": "add", "ids": [media["smith"].pk]},
        follow=True,
    )
    assert refused.status_code == 200
    assert "saved search has no fixed members" in refused.content.decode()
    assert (
        http.post("/contacts/bulk/", {"list": 999999, "action": "add", "ids": [1]}).status_code
        == 404
    )


# --- Creating and editing ----------------------------------------------------------------


def contact_post(**overrides):
    data = {
        "first_name": "Inès",
        "last_name": "Garnier",
        "role": "journalist",
        "title": "Cheffe de rubrique",
        "language": "fr",
        "outlet_id": "",
        "show_id": "",
        "beats": "Énergie, Climat",
        "emails-address": ["ines@travail.example", "ines@perso.example", ""],
        "emails-label": ["travail", "perso", ""],
        "emails-primary": "1",
        "phones-number": ["01 42 68 53 00", "06 11 22 33 44", ""],
        "phones-label": ["standard", "mobile", ""],
        "phones-primary": "1",
        "social_x": "@ines",
        "accepts_phone": "on",
        "preferred_channel": "email",
        "best_hours": "9h30-11h30",
        "paused_until": "",
        "notes": "Aime les données.",
        "legal_basis": "legitimate_interest",
        "source": "Salon",
    }
    data.update(overrides)
    return data


def test_create_contact_with_several_emails_and_phones(login, cast, media):
    http = login("intern")
    response = http.post("/contacts/new/", contact_post(outlet_id=media["lyon"].pk))
    assert response.status_code == 302
    c = Contact.objects.get(last_name="Garnier")
    assert response["Location"] == f"/contacts/{c.pk}/"
    emails = {e.address: e.is_primary for e in c.emails.all()}
    assert emails == {"ines@travail.example": False, "ines@perso.example": True}
    phones = {p.number: (p.label, p.is_primary) for p in c.phones.all()}
    assert phones == {"+33142685300": ("standard", False), "+33611223344": ("mobile", True)}
    assert sorted(b.name for b in c.beats.all()) == ["Climat", "Énergie"]
    assert c.best_hours == "09:30-11:30" and c.social == {"x": "@ines"}
    assert c.created_by == cast["intern"] and c.outlet == media["lyon"]
    page = http.get(response["Location"]).content.decode()
    assert "06 11 22 33 44" in page and 'href="tel:+33611223344"' in page
    assert "01 42 68 53 00" in page
    assert "https://x.com/ines" in page


def test_invalid_contact_shows_errors_and_writes_nothing(login, media):
    http = login("manager")
    before = Contact.objects.count(), ContactEmail.objects.count(), ContactPhone.objects.count()
    response = http.post(
        "/contacts/new/",
        contact_post(
            **{
                "emails-address": ["pas-une-adresse", ""],
                "emails-label": ["", ""],
                "phones-number": ["12", ""],
                "phones-label": ["", ""],
                "best_hours": "le matin",
            }
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "is not a valid e-mail address" in html
    assert "is not a valid phone number" in html or "is not a phone number" in html
    assert "is not a time range" in html
    # What was typed is shown again to be corrected.
    assert 'value="pas-une-adresse"' in html
    after = Contact.objects.count(), ContactEmail.objects.count(), ContactPhone.objects.count()
    assert after == before


def test_missing_name_and_show_of_another_outlet_are_field_errors(login, cast, media):
    show = create_show(cast["manager"], media["mtl"], {"name": "Le 15-18"})
    response = login("manager").post(
        "/contacts/new/",
        contact_post(first_name="", last_name="", outlet_id=media["lyon"].pk, show_id=show.pk),
    )
    html = response.content.decode()
    assert "A contact needs a name." in html
    assert not Contact.objects.filter(source="Salon").exists()
    response = login("manager").post(
        "/contacts/new/", contact_post(outlet_id=media["lyon"].pk, show_id=show.pk)
    )
    assert "This show belongs to another outlet." in response.content.decode()
    assert not Contact.objects.filter(source="Salon").exists()


def test_edit_form_round_trips_and_the_timeline_shows_the_edit(login, cast, media):
    http = login("manager")
    dubois = media["dubois"]
    form = http.get(f"/contacts/{dubois.pk}/edit/").content.decode()
    assert 'value="06 12 34 56 78"' in form and 'value="Le Courrier de Lyon' not in form
    assert f'<option value="{media["lyon"].pk}" selected>' in form
    data = contact_post(
        first_name="Claire",
        last_name="Dubois",
        title="Grand reporter",
        outlet_id=media["lyon"].pk,
        **{
            "emails-address": ["claire.dubois@courrier.example"],
            "emails-label": [""],
            "emails-primary": "0",
            "phones-number": ["06 12 34 56 78", "+1 514 555 0199"],
            "phones-label": ["", "Montréal"],
            "phones-primary": "1",
        },
    )
    response = http.post(f"/contacts/{dubois.pk}/edit/", data)
    assert response.status_code == 302
    dubois.refresh_from_db()
    assert dubois.title == "Grand reporter"
    assert dubois.phones.get(is_primary=True).number == "+15145550199"
    page = http.get(f"/contacts/{dubois.pk}/").content.decode()
    assert "Added to the media database" in page
    assert "Edited:" in page and "job title" in page
    assert "Grand reporter" in page
    # The page shows the Canadian number as dialled in Canada.
    assert "(514) 555-0199" in page


def test_outlet_search_as_you_type_and_show_choices(login, cast, media):
    show = create_show(cast["manager"], media["mtl"], {"name": "Le 15-18"})
    http = login("manager")
    fragment = http.get("/contacts/outlet-choices/", {"outlet_q": "montreal"}, headers=HTMX)
    html = fragment.content.decode()
    assert f'<option value="{media["mtl"].pk}" selected>' in html
    assert "Le Courrier" not in html
    assert 'hx-swap-oob="true"' in html and "Le 15-18" in html  # its shows come along
    shows = http.get("/contacts/show-choices/", {"outlet_id": media["lyon"].pk}).content.decode()
    assert "Le 15-18" not in shows and "This outlet has no shows." in shows
    shows = http.get("/contacts/show-choices/", {"outlet_id": media["mtl"].pk}).content.decode()
    assert f'value="{show.pk}"' in shows


def test_find_outlet_without_javascript_saves_nothing(login, media):
    response = login("manager").post(
        "/contacts/new/", contact_post(outlet_q="terre vivante", _find_outlet="1", last_name="")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{media["mag"].pk}" selected>' in html
    assert "A contact needs a name." not in html
    assert not Contact.objects.filter(first_name="Inès").exists()


# --- The contact page ----------------------------------------------------------------


def test_contact_page_shows_every_field(login, cast, media):
    ml = create_list(cast["manager"], {"name": "Fichier énergie"})
    ml.members.add(media["dubois"])
    html = login("intern").get(f"/contacts/{media['dubois'].pk}/").content.decode()
    for text in (
        "Claire Dubois",
        "Le Courrier de Lyon",
        "claire.dubois@courrier.example",
        "06 12 34 56 78",
        "Écologie",
        "Fichier énergie",
        "Officer",
        "Long-standing",
        "Old friend",
        "Legitimate interest",
        "History",
    ):
        assert text in html, text


def test_relationships_add_edit_remove(login, cast, media):
    http = login("officer")
    dubois = media["dubois"]
    url = f"/contacts/{dubois.pk}/relationships/"
    response = http.post(
        url, {"rel-user": cast["intern"].pk, "rel-strength": "1", "rel-notes": "Stage"}
    )
    assert response.status_code == 302
    assert Relationship.objects.get(contact=dubois, user=cast["intern"]).strength == 1
    http.post(url, {"rel-user": cast["intern"].pk, "rel-strength": "2", "rel-notes": "Bon contact"})
    rel = Relationship.objects.get(contact=dubois, user=cast["intern"])
    assert (rel.strength, rel.notes) == (2, "Bon contact")
    bad = http.post(url, {"rel-user": cast["viewer"].pk, "rel-strength": "9"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    http.post(f"/contacts/{dubois.pk}/relationships/{cast['intern'].pk}/remove/")
    assert not Relationship.objects.filter(contact=dubois, user=cast["intern"]).exists()
    page = http.get(f"/contacts/{dubois.pk}/").content.decode()
    assert "Intern now knows them" in page or "intern now knows them" in page
    assert "no longer listed as knowing them" in page


def test_opt_out_and_do_not_contact_switches(login, media):
    http = login("intern")
    smith = media["smith"]
    http.post(f"/contacts/{smith.pk}/flag/", {"flag": "opted_out", "value": "1"})
    http.post(f"/contacts/{smith.pk}/flag/", {"flag": "do_not_contact", "value": "1"})
    smith.refresh_from_db()
    assert smith.opted_out and smith.opted_out_source == "agency" and smith.do_not_contact
    http.post(f"/contacts/{smith.pk}/flag/", {"flag": "opted_out", "value": "0"})
    smith.refresh_from_db()
    assert not smith.opted_out
    assert "Opted out by the agency" in http.get(f"/contacts/{smith.pk}/").content.decode()


def test_journalists_own_opt_out_cannot_be_undone_through_the_pages(login, media):
    smith = set_opt_out(None, media["smith"], True, by_journalist=True)
    http = login("director")
    page = http.get(f"/contacts/{smith.pk}/").content.decode()
    assert "at their own request" in page and "Opt back in" not in page
    refused = http.post(
        f"/contacts/{smith.pk}/flag/", {"flag": "opted_out", "value": "0"}, follow=True
    )
    assert "only they can" in refused.content.decode()
    # The edit form locks the box; unticking it in a forged POST changes nothing.
    form = http.get(f"/contacts/{smith.pk}/edit/").content.decode()
    assert re.search(r'name="opted_out"[^>]*disabled', form)
    http.post(f"/contacts/{smith.pk}/edit/", contact_post(first_name="John", last_name="Smith"))
    smith.refresh_from_db()
    assert smith.opted_out and smith.opted_out_source == "self"
    assert smith.title == "Cheffe de rubrique"  # the rest of the edit went through


def test_delete_contact_asks_then_deletes(login, media):
    http = login("officer")
    pk = media["smith"].pk
    assert "cannot be undone" in http.get(f"/contacts/{pk}/delete/").content.decode()
    assert http.post(f"/contacts/{pk}/delete/").status_code == 302
    assert not Contact.objects.filter(pk=pk).exists()
    assert http.get(f"/contacts/{pk}/").status_code == 404


# --- Personal data -----------------------------------------------------------------------


def test_export_person_as_json(login, media):
    http = login("manager")
    response = http.post(f"/contacts/{media['dubois'].pk}/personal-data/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["contact"]["last_name"] == "Dubois"
    assert data["emails"][0]["address"] == "claire.dubois@courrier.example"
    assert data["phones"][0]["number"] == "+33612345678"
    assert data["relationships"][0]["team_member"] == "officer"
    assert any(h["action"] == "create" for h in data["history"])
    assert AuditEntry.objects.filter(
        action="personal_data_export", actor__username="manager"
    ).exists()
    assert http.get(f"/contacts/{media['dubois'].pk}/personal-data/").status_code == 405


def test_erase_person(login, cast, media):
    http = login("manager")
    dubois = media["dubois"]
    confirm = http.get(f"/contacts/{dubois.pk}/erase/").content.decode()
    assert "irreversible" in confirm and "What is kept" in confirm
    assert http.post(f"/contacts/{dubois.pk}/erase/").status_code == 302
    row = Contact.objects.get(pk=dubois.pk)  # the row stays
    assert row.erased_at and row.first_name == "" and row.last_name == f"#{dubois.pk}"
    assert not row.emails.exists() and not row.phones.exists() and not row.relationships.exists()
    assert not search_contacts(cast["manager"], ContactFilters(q="dubois")).exists()
    assert "Claire" not in http.get(LIST_URL, {"q": "claire"}).content.decode()
    tombstone = http.get(f"/contacts/{dubois.pk}/")
    assert tombstone.status_code == 410
    assert "erased" in tombstone.content.decode() and "manager" in tombstone.content.decode()
    assert AuditEntry.objects.filter(
        action="erase", target_id=dubois.pk, actor=cast["manager"]
    ).exists()
    assert http.get(f"/contacts/{dubois.pk}/edit/").status_code == 404


# --- Who may do what ---------------------------------------------------------------------


def contact_pages(media) -> list[tuple[str, str]]:
    pk = media["smith"].pk
    return [
        ("get", LIST_URL),
        ("get", f"/contacts/{pk}/"),
        ("get", "/contacts/new/"),
        ("get", f"/contacts/{pk}/edit/"),
        ("get", f"/contacts/{pk}/delete/"),
        ("get", f"/contacts/{pk}/erase/"),
        ("post", f"/contacts/{pk}/personal-data/"),
        ("post", f"/contacts/{pk}/flag/"),
        ("post", f"/contacts/{pk}/relationships/"),
        ("post", "/contacts/bulk/"),
        ("get", "/contacts/outlet-choices/"),
        ("get", "/contacts/show-choices/"),
    ]


def test_client_viewer_gets_403_on_every_contact_page(login, media):
    http = login("viewer")
    for method, url in contact_pages(media):
        assert getattr(http, method)(url).status_code == 403, url


def test_anonymous_is_sent_to_login(client, media):
    for method, url in contact_pages(media):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


@pytest.mark.parametrize(
    ("role", "edit", "delete", "export", "erase"),
    [
        ("director", 200, 200, 200, 200),
        ("manager", 200, 200, 200, 200),
        ("officer", 200, 200, 200, 403),
        ("intern", 200, 403, 403, 403),
        ("cm", 200, 403, 403, 403),
    ],
)
def test_role_table(login, media, role, edit, delete, export, erase):
    http = login(role)
    pk = media["smith"].pk
    assert http.get(f"/contacts/{pk}/edit/").status_code == edit
    assert http.get(f"/contacts/{pk}/delete/").status_code == delete
    assert http.post(f"/contacts/{pk}/personal-data/").status_code == export
    assert http.get(f"/contacts/{pk}/erase/").status_code == erase
    page = http.get(f"/contacts/{pk}/").content.decode()
    assert ("Erase this person" in page) == (erase == 200)
    assert ("Export everything about this person" in page) == (export == 200)
    assert (f"/contacts/{pk}/delete/" in page) == (delete == 200)


def test_intern_cannot_delete_or_erase_even_by_post(login, media):
    http = login("intern")
    pk = media["smith"].pk
    assert http.post(f"/contacts/{pk}/delete/").status_code == 403
    assert http.post(f"/contacts/{pk}/erase/").status_code == 403
    assert Contact.objects.get(pk=pk).erased_at is None


def test_unknown_ids_are_404(login):
    http = login("manager")
    for url in ("/contacts/999999/", "/contacts/999999/edit/", "/contacts/999999/erase/"):
        assert http.get(url).status_code == 404, url
    assert http.post("/contacts/999999/flag/", {"flag": "vip", "value": "1"}).status_code == 404


def test_csrf_is_required(cast, media):
    from django.test import Client

    http = Client(enforce_csrf_checks=True)
    http.force_login(cast["manager"])
    response = http.post(f"/contacts/{media['smith'].pk}/flag/", {"flag": "vip", "value": "1"})
    assert response.status_code == 403
    assert not Contact.objects.get(pk=media["smith"].pk).vip


def test_the_page_speaks_french(login, cast, media):
    cast["manager"].language = "fr"
    cast["manager"].save()
    html = login("manager").get(reverse("contacts:contact_list")).content.decode()
    assert '<html lang="fr"' in html


def test_a_new_outlet_region_and_beat_appear_in_the_filters_at_once(login, cast):
    http = login("manager")
    assert "Nunavik" not in http.get(LIST_URL).content.decode()  # choices now cached
    o = outlet(cast["director"], "Nunatsiaq", country="CA", region="Nunavik")
    contact(cast["director"], outlet_id=o.pk, beats=["Arctique"])
    page = http.get(LIST_URL).content.decode()
    assert "Nunavik" in page and "Arctique" in page


def test_contact_rows_escape_what_people_typed(login, cast):
    """The rows are rendered in Python (contacts/rows.py): every value typed
    by someone must come out escaped."""
    d = cast["director"]
    o = outlet(d, 'Le "Canard" <b>enchaîné</b>')
    contact(
        d,
        last_name="<script>alert(1)</script>",
        title='Chef "rubrique" & co',
        outlet_id=o.pk,
        beats=["<i>Tech</i>"],
        emails=["o'neil@x.example"],
    )
    html = login("manager").get(LIST_URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;enchaîné&lt;/b&gt;" in html and "<i>Tech</i>" not in html
    assert "Chef &quot;rubrique&quot; &amp; co" in html
    assert 'href="mailto:o&#x27;neil@x.example"' in html

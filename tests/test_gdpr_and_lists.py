"""Personal data rights and media lists."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from relance.audit.models import AuditEntry
from relance.contacts.models import Contact, ContactEmail, MediaListMember
from relance.contacts.search import ContactFilters, search_contacts
from relance.contacts.services.contacts import set_relationship
from relance.contacts.services.gdpr import erase_person, export_person
from relance.contacts.services.lists import (
    add_members,
    add_search_results,
    create_list,
    list_contacts,
    remove_members,
)

from .factories import contact, outlet

pytestmark = pytest.mark.django_db


def test_export_person_holds_everything(cast):
    d = cast["director"]
    c = contact(d, emails=["claire@courrier.example"], phones=["0612345678"], notes="Aime le vélo")
    set_relationship(d, c, cast["manager"], 2, "Rencontrée au salon")
    data = export_person(d, c)
    json.dumps(data)  # serialisable as is
    assert data["contact"]["notes"] == "Aime le vélo"
    assert data["emails"][0]["address"] == "claire@courrier.example"
    assert data["relationships"][0]["team_member"] == "manager"
    assert [h["action"] for h in data["history"]][-1] == "create"
    with pytest.raises(PermissionDenied):
        export_person(cast["intern"], c)


def test_erase_person_keeps_an_anonymous_row(cast):
    d = cast["director"]
    o = outlet(d)
    c = contact(d, outlet_id=o.pk, emails=["claire@courrier.example"], notes="Tél perso…")
    lst = create_list(d, {"name": "Presse lyonnaise"})
    add_members(d, lst, [c.pk])
    with pytest.raises(PermissionDenied):
        erase_person(cast["officer"], c)
    erase_person(cast["manager"], c)
    c.refresh_from_db()
    assert c.erased_at and c.first_name == "" and c.notes == "" and c.outlet_id == o.pk
    assert not ContactEmail.objects.filter(contact=c).exists()
    assert not MediaListMember.objects.filter(contact=c).exists()
    assert not search_contacts(d, ContactFilters(q="claire")).exists()
    # The trail keeps who acted, not the person's data.
    assert all(
        "claire" not in json.dumps(e.changes) for e in AuditEntry.objects.filter(target_id=c.pk)
    )
    assert AuditEntry.objects.filter(target_id=c.pk, action="erase", actor=cast["manager"]).exists()
    # The person cannot be silently re-added.
    with pytest.raises(ValidationError) as exc:
        contact(d, last_name="Dubois", emails=["Claire@courrier.example"])
    assert "erased" in exc.value.message_dict["emails"][0]
    assert Contact.objects.count() == 1


def test_static_list_members(cast):
    d = cast["director"]
    a, b = contact(d, "Alpha"), contact(d, "Bravo")
    lst = create_list(d, {"name": "Énergie"})
    assert add_members(d, lst, [a.pk, b.pk, 999999]) == 2
    assert add_members(d, lst, [a.pk]) == 0
    assert remove_members(d, lst, [a.pk]) == 1
    assert [c.last_name for c in list_contacts(d, lst)] == ["Bravo"]


def test_add_search_results_adds_all_matches_not_one_page(cast):
    d = cast["director"]
    for i in range(60):
        contact(d, f"Nom{i:02d}", beats=["Énergie"])
    contact(d, "Autre", beats=["Sport"])
    lst = create_list(d, {"name": "Énergie"})
    assert add_search_results(d, lst, ContactFilters(q="energie")) == 60


def test_smart_list_is_re_evaluated_on_use(cast):
    d = cast["director"]
    contact(d, "Alpha", beats=["Énergie"])
    smart = create_list(d, {"name": "Énergie (auto)", "kind": "smart", "filters": {"q": "énergie"}})
    assert [c.last_name for c in list_contacts(d, smart)] == ["Alpha"]
    contact(d, "Bravo", beats=["Energie"])
    assert [c.last_name for c in list_contacts(d, smart)] == ["Alpha", "Bravo"]
    with pytest.raises(ValidationError):
        add_members(d, smart, [1])


def test_list_validation(cast):
    d = cast["director"]
    create_list(d, {"name": "Tech"})
    with pytest.raises(ValidationError) as exc:
        create_list(d, {"name": "tech"})
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        create_list(d, {"name": "Vide", "kind": "smart", "filters": {}})
    assert "filters" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        create_list(d, {"name": "Mauvais", "kind": "smart", "filters": {"role": "chef"}})
    assert "filters" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        create_list(cast["viewer"], {"name": "X"})


def test_list_names_are_unique_whatever_the_accents(cast):
    d = cast["director"]
    create_list(d, {"name": "Énergie Rhône"})
    with pytest.raises(ValidationError):
        create_list(d, {"name": "énergie rhone"})


def test_only_the_creator_or_a_deleting_role_deletes_a_list(cast):
    from relance.contacts.services.lists import delete_list

    mine = create_list(cast["intern"], {"name": "Mes contacts"})
    theirs = create_list(cast["officer"], {"name": "Presse tech"})
    with pytest.raises(PermissionDenied):
        delete_list(cast["intern"], theirs)
    delete_list(cast["intern"], mine)
    delete_list(cast["manager"], theirs)

"""The media-database services: what every page, API call and import relies on."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from relance.audit.models import AuditEntry
from relance.contacts.models import Contact, ContactEmail, ContactPhone
from relance.contacts.search import ContactFilters, search_contacts
from relance.contacts.services.contacts import (
    create_contact,
    delete_contact,
    remove_relationship,
    set_opt_out,
    set_relationship,
    update_contact,
)
from relance.contacts.services.outlets import create_show, delete_outlet, update_show

from .factories import contact, outlet

pytestmark = pytest.mark.django_db


def test_create_contact_normalises_and_indexes(director):
    mtl = outlet(director, "Le Devoir de Montréal", country="CA", region="QC")
    c = create_contact(
        director,
        {
            "first_name": " Élodie ",
            "last_name": "Tremblay",
            "outlet_id": mtl.pk,
            "emails": [
                {"address": "e.tremblay@devoir.example", "label": "work"},
                {"address": "ELODIE@Perso.EXAMPLE", "is_primary": True},
            ],
            # No prefix: read in the outlet's country (Canada), not France.
            "phones": ["514 555 0134", "+33 6 12 34 56 78"],
            "beats": "Culture, culture; Cinéma",
            "best_hours": "9h30-11h",
        },
    )
    assert c.first_name == "Élodie"
    emails = list(c.emails.values_list("address", "is_primary"))
    assert ("ELODIE@perso.example", True) in emails and len(emails) == 2
    assert list(c.phones.values_list("number", "is_primary")) == [
        ("+15145550134", True),
        ("+33612345678", False),
    ]
    assert sorted(b.name for b in c.beats.all()) == ["Cinéma", "Culture"]
    assert c.best_hours == "09:30-11:00"
    assert "cinema" in c.search_document and "montreal" in c.search_document
    assert AuditEntry.objects.filter(target_id=c.pk, action="create", actor=director).exists()


def test_invalid_contact_lists_every_problem_and_writes_nothing(director):
    with pytest.raises(ValidationError) as exc:
        create_contact(
            director,
            {"last_name": "", "emails": ["not-an-email"], "phones": ["123"], "role": "boss"},
        )
    errors = exc.value.message_dict
    assert set(errors) == {"last_name", "emails", "phones", "role"}
    assert "not-an-email" in errors["emails"][0]
    assert Contact.objects.count() == 0 and ContactEmail.objects.count() == 0


def test_show_must_belong_to_the_outlet(director):
    radio = outlet(director, "Radio Lyon", kind="radio")
    other = outlet(director, "Télé Nantes", kind="tv")
    morning = create_show(director, radio, {"name": "La Matinale", "air_days": [0, 1, 2, 3, 4]})
    with pytest.raises(ValidationError) as exc:
        contact(director, outlet_id=other.pk, show_id=morning.pk)
    assert "show_id" in exc.value.message_dict
    # A show alone implies its outlet.
    c = contact(director, show_id=morning.pk)
    assert c.outlet_id == radio.pk


def test_partial_update_keeps_other_emails_and_reindexes(director):
    c = contact(director, emails=["a@x.example", "b@x.example"], beats=["Énergie"])
    update_contact(director, c, {"email": "new@x.example"})
    assert list(c.emails.values_list("address", "is_primary")) == [
        ("new@x.example", True),
        ("a@x.example", False),
        ("b@x.example", False),
    ]
    update_contact(director, c, {"notes": "Préfère les appels le matin"})
    assert search_contacts(director, ContactFilters(q="matin")).get() == c


def test_bounce_status_survives_an_edit(director):
    c = contact(director, emails=["a@x.example"])
    ContactEmail.objects.filter(contact=c).update(status="bounced")
    update_contact(director, c, {"emails": ["a@x.example", "b@x.example"]})
    assert c.emails.get(address="a@x.example").status == "bounced"


def test_journalist_opt_out_cannot_be_undone_by_the_agency(director):
    c = contact(director)
    set_opt_out(None, c, True, by_journalist=True)
    with pytest.raises(ValidationError) as exc:
        update_contact(director, c, {"opted_out": False})
    assert "opted_out" in exc.value.message_dict
    with pytest.raises(ValidationError):
        set_opt_out(director, c, False)
    c.refresh_from_db()
    assert c.opted_out and c.opted_out_source == "self"
    # The journalist can come back.
    set_opt_out(None, c, False, by_journalist=True)
    c.refresh_from_db()
    assert not c.opted_out


def test_agency_opt_out_can_be_lifted_by_the_agency(director):
    c = contact(director, opted_out=True)
    assert c.opted_out_source == "agency"
    update_contact(director, c, {"opted_out": False})
    c.refresh_from_db()
    assert not c.opted_out


def test_relationships(cast):
    d = cast["director"]
    c = contact(d)
    set_relationship(d, c, cast["manager"], 3, "Ancienne collègue")
    set_relationship(d, c, cast["manager"], 2)
    assert c.relationships.get().strength == 2
    with pytest.raises(ValidationError) as exc:
        set_relationship(d, c, cast["officer"], 7)
    assert "strength" in exc.value.message_dict
    with pytest.raises(ValidationError):
        set_relationship(d, c, cast["viewer"], 1)
    assert remove_relationship(d, c, cast["manager"]) is True
    assert not c.relationships.exists()


@pytest.mark.parametrize(
    ("username", "can_edit", "can_delete"),
    [
        ("director", True, True),
        ("manager", True, True),
        ("officer", True, True),
        ("intern", True, False),
        ("cm", True, False),
        ("viewer", False, False),
        ("outsider", False, False),
    ],
)
def test_roles_are_enforced_in_services(cast, username, can_edit, can_delete):
    user = cast[username]
    c = contact(cast["director"])
    if can_edit:
        update_contact(user, c, {"title": "Cheffe de rubrique"})
    else:
        with pytest.raises(PermissionDenied):
            update_contact(user, c, {"title": "x"})
        with pytest.raises(PermissionDenied):
            create_contact(user, {"last_name": "X"})
    if can_delete:
        delete_contact(user, c)
        assert not Contact.objects.filter(pk=c.pk).exists()
    else:
        with pytest.raises(PermissionDenied):
            delete_contact(user, c)


def test_deleting_an_outlet_keeps_its_contacts_findable(director):
    o = outlet(director, "Hebdo du Var", periodicity="weekly")
    c = contact(director, outlet_id=o.pk)
    delete_outlet(director, o)
    c.refresh_from_db()
    assert c.outlet_id is None and "hebdo" not in c.search_document


def test_show_schedule_validation(director):
    radio = outlet(director, "Radio Lyon", kind="radio")
    with pytest.raises(ValidationError) as exc:
        create_show(director, radio, {"name": "Le Soir", "air_start": "20:00", "air_end": "19h"})
    assert "air_end" in exc.value.message_dict
    show = create_show(director, radio, {"name": "Le Soir", "air_days": "0,2,4"})
    update_show(director, show, {"air_start": "18:00", "air_end": "19:30"})
    show.refresh_from_db()
    assert show.air_days == [0, 2, 4] and show.air_start.hour == 18


def test_phones_are_e164(director):
    c = contact(director, phones=["01 42 68 53 00"])
    assert ContactPhone.objects.get(contact=c).number == "+33142685300"

"""The import service: mapping, row-level errors, all or nothing, dry runs,
duplicates, journalists' protections, erased people, outlets, permissions."""

from __future__ import annotations

import os
import random
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from relance.audit.models import AuditEntry
from relance.contacts.importing import import_contacts
from relance.contacts.models import (
    Beat,
    Contact,
    ContactBeat,
    ContactEmail,
    ContactPhone,
    Outlet,
)
from relance.contacts.search import ContactFilters, search_contacts
from relance.contacts.services.contacts import reindex_ids, set_opt_out
from relance.contacts.services.gdpr import erase_person
from tests import factories

pytestmark = pytest.mark.django_db

FRENCH = (
    "Nom;Prénom;Média;Type de média;Périodicité;Fonction;Rôle;Courriel;Téléphone;Portable;"
    "Rubriques;Pays\n"
    "Dubois;Claire;Le Courrier de Lyon;presse écrite;quotidien;Rédactrice;journaliste;"
    "claire.dubois@exemple.fr;04 78 12 34 56;06 12 34 56 78;Énergie, Climat;France\n"
    "Tremblay;Luc;La Voix de l'Estrie;radio;hebdomadaire;Animateur;animateur;"
    "luc.tremblay@exemple.ca;(819) 555-0134;;Politique;Canada\n"
)


def run(user, text: str, **options):
    return import_contacts(user, text.encode("utf-8"), filename="contacts.csv", **options)


def counts() -> tuple[int, ...]:
    return (
        Contact.objects.count(),
        ContactEmail.objects.count(),
        ContactPhone.objects.count(),
        ContactBeat.objects.count(),
        Beat.objects.count(),
        Outlet.objects.count(),
    )


def test_french_file_is_imported_with_every_field(cast):
    result = run(cast["officer"], FRENCH)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.skipped) == (2, 0, 0)
    assert result.outlets_created == 2
    claire = Contact.objects.get(last_name="Dubois")
    assert claire.first_name == "Claire" and claire.title == "Rédactrice"
    assert claire.role == "journalist" and claire.created_by == cast["officer"]
    assert claire.legal_basis == "legitimate_interest"
    assert claire.source.startswith("Import contacts.csv ")
    assert [(e.address, e.is_primary) for e in claire.emails.all()] == [
        ("claire.dubois@exemple.fr", True)
    ]
    assert [(p.number, p.label, p.is_primary) for p in claire.phones.order_by("-is_primary")] == [
        ("+33478123456", "", True),
        ("+33612345678", "mobile", False),
    ]
    assert sorted(b.name for b in claire.beats.all()) == ["Climat", "Énergie"]
    outlet = claire.outlet
    assert (outlet.name, outlet.kind, outlet.periodicity, outlet.country) == (
        "Le Courrier de Lyon",
        "print",
        "daily",
        "FR",
    )
    luc = Contact.objects.get(last_name="Tremblay")
    # A number without prefix is read in the outlet's country (Canada here).
    assert luc.phones.get().number == "+18195550134"
    assert luc.role == "host"
    assert (luc.outlet.kind, luc.outlet.periodicity, luc.outlet.country) == (
        "radio",
        "weekly",
        "CA",
    )
    assert luc.outlet.timezone == "America/Montreal"
    entry = AuditEntry.objects.get(action="import")
    assert entry.actor == cast["officer"] and entry.target_label == "contacts.csv"
    assert entry.changes["created"] == 2


def test_imported_contacts_are_found_by_search_like_any_other(cast):
    assert run(cast["officer"], FRENCH).ok
    found = search_contacts(cast["officer"], ContactFilters(q="energie"))
    assert [c.last_name for c in found] == ["Dubois"]
    by_kind = search_contacts(cast["officer"], ContactFilters(kind=["radio"]))
    assert [c.last_name for c in by_kind] == ["Tremblay"]
    # The derived columns are exactly what the services compute.
    before = dict(Contact.objects.values_list("pk", "search_document"))
    keys = dict(Contact.objects.values_list("pk", "name_key"))
    reindex_ids(before)
    assert dict(Contact.objects.values_list("pk", "search_document")) == before
    assert dict(Contact.objects.values_list("pk", "name_key")) == keys


def test_english_headers(cast):
    text = (
        "First name,Last name,Outlet,Outlet type,Frequency,Job title,E-mail,Phone,Beats,Language\n"
        "Ana,Lopes,The Morning Post,print,weekly,Reporter,ana@example.org,+44 20 7946 0958,"
        '"Tech; Science",English\n'
    )
    result = run(cast["officer"], text)
    assert result.ok, result.errors
    ana = Contact.objects.get()
    assert (ana.first_name, ana.last_name, ana.title, ana.language) == (
        "Ana",
        "Lopes",
        "Reporter",
        "en",
    )
    assert ana.outlet.periodicity == "weekly"
    assert ana.phones.get().number == "+442079460958"
    assert sorted(b.name for b in ana.beats.all()) == ["Science", "Tech"]


def test_full_name_column_is_split_when_there_are_no_name_columns(cast):
    text = "Nom complet;Courriel\nClaire Dubois;c@exemple.fr\nDUBOIS Marie;m@exemple.fr\n"
    assert run(cast["officer"], text).ok
    assert sorted(Contact.objects.values_list("first_name", "last_name")) == [
        ("Claire", "Dubois"),
        ("Marie", "DUBOIS"),
    ]


def test_several_email_and_phone_columns_first_non_empty_is_primary(cast):
    text = (
        "Last Name,Primary Email,Secondary Email,Work Phone,Mobile Number\n"
        "Dubois,,claire@exemple.fr,,06 12 34 56 78\n"
        "Martin,luc@exemple.fr,luc.martin@perso.example,01 42 68 53 00,06 98 76 54 32\n"
    )
    assert run(cast["officer"], text).ok
    claire = Contact.objects.get(last_name="Dubois")
    assert [(e.address, e.is_primary) for e in claire.emails.all()] == [("claire@exemple.fr", True)]
    luc = Contact.objects.get(last_name="Martin")
    primary = luc.emails.get(is_primary=True)
    assert primary.address == "luc@exemple.fr" and luc.emails.count() == 2
    assert luc.phones.get(is_primary=True).number == "+33142685300"
    assert luc.phones.get(is_primary=False).label == "mobile"


def test_row_level_errors_name_row_column_and_reason_and_nothing_is_written(cast):
    factories.outlet(cast["director"], "Le Courrier de Lyon")
    before = counts()
    text = (
        "Nom;Prénom;Média;Périodicité;Courriel;Téléphone\n"
        "Dubois;Claire;Le Courrier de Lyon;quotidien;claire@exemple.fr;04 78 12 34 56\n"
        "Martin;Luc;Nouveau Média;chaque lune;luc@;06 12\n"
        ";;;;;\n"
        ";;Sans Nom;;anonyme@exemple.fr;\n"
    )
    result = run(cast["officer"], text)
    assert not result.ok and not result.written
    assert counts() == before  # nothing, not even the valid first row or the new outlet
    found = {(p.row, p.column, p.field) for p in result.errors}
    assert (3, "Courriel", "emails") in found
    assert (3, "Téléphone", "phones") in found
    assert (3, "Périodicité", "outlet_periodicity") in found
    assert (5, "Nom", "last_name") in found  # no name at all
    messages = {p.row: [] for p in result.errors}
    for p in result.errors:
        messages[p.row].append(p.message)
    assert any("“luc@” is not a valid e-mail address" in m for m in messages[3])
    assert any("“06 12” is not" in m for m in messages[3])
    assert all(p.row != 2 for p in result.errors)
    assert str(result.errors[0]).startswith("Row 3, column “")


def test_missing_name_column_is_one_mapping_problem_not_one_per_row(cast):
    result = run(cast["officer"], "Courriel\na@exemple.fr\nb@exemple.fr\n")
    assert not result.ok
    (problem,) = result.errors
    assert problem.row is None and "names" in problem.message


def test_dry_run_writes_nothing_and_says_what_would_happen(cast):
    factories.contact(cast["director"], "Dubois", emails=["claire.dubois@exemple.fr"])
    before = counts()
    audit_before = AuditEntry.objects.count()
    result = run(cast["officer"], FRENCH, dry_run=True)
    assert result.ok and result.dry_run and not result.written
    assert (result.created, result.skipped, result.outlets_created) == (1, 1, 2)
    assert [d.kind for d in result.duplicates] == ["email"]
    assert counts() == before and AuditEntry.objects.count() == audit_before


# --- Duplicates --------------------------------------------------------------------


@pytest.fixture
def lyon(cast) -> Outlet:
    return factories.outlet(cast["director"], "Le Courrier de Lyon")


def test_duplicate_by_email_is_case_insensitive_and_skipped_by_default(cast, lyon):
    known = factories.contact(
        cast["director"], "Dubois", emails=["Claire.Dubois@exemple.fr"], outlet_id=lyon.pk
    )
    result = run(cast["officer"], "Nom;Prénom;Courriel\nDuboys;Claire;claire.dubois@EXEMPLE.fr\n")
    assert result.ok and result.created == 0 and result.skipped == 1
    (duplicate,) = result.duplicates
    assert (duplicate.kind, duplicate.contact_id, duplicate.row) == ("email", known.pk, 2)
    assert Contact.objects.count() == 1


def test_duplicate_by_name_at_the_same_outlet_only(cast, lyon):
    factories.contact(cast["director"], "Dubois", outlet_id=lyon.pk)
    text = (
        "Nom;Prénom;Média;Courriel\n"
        "DUBOIS;claire;le courrier de lyon;nouvelle@exemple.fr\n"
        "Dubois;Claire;Ouest Matin;autre@exemple.fr\n"
    )
    result = run(cast["officer"], text)
    assert result.ok
    assert [(d.row, d.kind) for d in result.duplicates] == [(2, "name")]
    assert result.created == 1  # the Claire Dubois of another outlet is someone else


def test_near_name_at_the_same_outlet(cast, lyon):
    factories.contact(cast["director"], "Dupont", first_name="Jean-Marc", outlet_id=lyon.pk)
    result = run(cast["officer"], "Nom;Prénom;Média\nDupond;Jean Marc;Le Courrier de Lyon\n")
    (duplicate,) = result.duplicates
    assert duplicate.kind == "near_name" and duplicate.score >= 92
    assert result.created == 0


def test_update_fills_and_overwrites_fields_present_and_keeps_the_rest(cast, lyon):
    known = factories.contact(
        cast["director"],
        "Dubois",
        emails=["claire@exemple.fr"],
        outlet_id=lyon.pk,
        title="Pigiste",
        notes="Connue au salon",
        beats=["Culture"],
        phones=["01 42 68 53 00"],
        vip=True,
    )
    text = (
        "Nom;Prénom;Courriel;Fonction;Portable;Rubriques;Notes\n"
        "Dubois;Claire;claire.pro@exemple.fr, claire@exemple.fr;Cheffe de rubrique;"
        "06 12 34 56 78;Énergie;Préfère les mails\n"
    )
    result = run(cast["officer"], text, on_duplicate="update")
    assert result.ok and result.updated == 1 and result.created == 0
    known.refresh_from_db()
    assert known.title == "Cheffe de rubrique"
    assert known.vip is True  # not in the file: unchanged
    assert known.notes == "Connue au salon\nPréfère les mails"  # added to, never lost
    assert [(e.address, e.is_primary) for e in known.emails.order_by("-is_primary", "address")] == [
        ("claire.pro@exemple.fr", True),
        ("claire@exemple.fr", False),
    ]
    assert sorted(p.number for p in known.phones.all()) == ["+33142685300", "+33612345678"]
    assert sorted(b.name for b in known.beats.all()) == ["Culture", "Énergie"]
    assert "cheffe" in known.search_document  # re-indexed
    entry = AuditEntry.objects.get(action="import_update", target_id=known.pk)
    assert "title" in entry.changes


def test_update_never_lowers_a_journalists_protection(cast, lyon):
    known = factories.contact(
        cast["director"],
        "Dubois",
        emails=["claire@exemple.fr"],
        outlet_id=lyon.pk,
        do_not_contact=True,
        accepts_phone=False,
        paused_until="2030-06-30",
    )
    set_opt_out(None, known, True, by_journalist=True)
    text = (
        "Nom;Courriel;Opt-out;Ne pas contacter;Accepte le téléphone;En pause jusqu'au\n"
        "Dubois;claire@exemple.fr;non;non;oui;2026-01-01\n"
    )
    result = run(cast["officer"], text, on_duplicate="update")
    assert result.ok
    known.refresh_from_db()
    assert known.opted_out and known.opted_out_source == "self"
    assert known.do_not_contact and not known.accepts_phone
    assert known.paused_until == date(2030, 6, 30)


def test_update_can_raise_protections(cast, lyon):
    known = factories.contact(cast["director"], "Dubois", emails=["claire@exemple.fr"])
    text = (
        "Nom;Courriel;Opt-out;Ne pas contacter;Accepte le téléphone;En pause jusqu'au\n"
        "Dubois;claire@exemple.fr;oui;oui;non;31/12/2030\n"
    )
    assert run(cast["officer"], text, on_duplicate="update").ok
    known.refresh_from_db()
    assert known.opted_out and known.opted_out_source == "agency" and known.opted_out_at
    assert known.do_not_contact and not known.accepts_phone
    assert known.paused_until == date(2030, 12, 31)
    assert "zqoptoutyes" in known.search_document


def test_duplicates_within_the_file_skip_or_merge(cast):
    text = (
        "Nom;Prénom;Média;Courriel;Téléphone;Rubriques\n"
        "Dubois;Claire;Le Progrès;claire@exemple.fr;;Culture\n"
        "Martin;Luc;Le Progrès;luc@exemple.fr;;\n"
        "Dubois;Claire;Le Progrès;CLAIRE@exemple.fr;04 78 12 34 56;Énergie\n"
    )
    result = run(cast["officer"], text, dry_run=True)
    assert [(d.row, d.other_row, d.kind) for d in result.duplicates] == [(4, 2, "email")]
    assert (result.created, result.skipped) == (2, 1)
    result = run(cast["officer"], text, on_duplicate="update")
    assert result.ok and Contact.objects.count() == 2
    claire = Contact.objects.get(last_name="Dubois")
    # The later row is merged into the contact the earlier one creates.
    assert claire.phones.get().number == "+33478123456"
    assert sorted(b.name for b in claire.beats.all()) == ["Culture", "Énergie"]
    assert claire.emails.count() == 1
    assert "energie" in claire.search_document and "zqbeatculture" in claire.search_document


def test_people_erased_at_their_request_are_not_imported_again(cast):
    known = factories.contact(cast["director"], "Dubois", emails=["claire@exemple.fr"])
    erase_person(cast["director"], known)
    text = "Nom;Courriel\nDubois;Claire@Exemple.fr\nMartin;luc@exemple.fr\n"
    result = run(cast["officer"], text)
    assert result.ok and result.erased == [2] and result.created == 1
    assert result.as_dict()["erased"][0]["reason"] == "erased at the person's request"
    assert not ContactEmail.objects.filter(address__iexact="claire@exemple.fr").exists()


# --- Outlets ----------------------------------------------------------------------------


def test_outlets_matched_exactly_then_nearly_else_created(cast):
    director = cast["director"]
    monde = factories.outlet(director, "Le Monde", kind="print", periodicity="daily")
    ouest = factories.outlet(director, "Ouest-France")
    text = (
        "Nom;Média;Périodicité\n"
        "A;LE MONDE;mensuel\n"  # exact (case), the file's periodicity does not change it
        "B;Ouest France;\n"  # near match
        "C;Le Nouveau Quotidien;hebdomadaire\n"  # new
        "D;le nouveau quotidien;\n"  # same new outlet
    )
    result = run(cast["officer"], text)
    assert result.ok and result.outlets_created == 1 and result.outlets_matched == 2
    assert Contact.objects.get(last_name="A").outlet == monde
    assert Contact.objects.get(last_name="B").outlet == ouest
    monde.refresh_from_db()
    assert monde.periodicity == "daily"
    new = Contact.objects.get(last_name="C").outlet
    assert Contact.objects.get(last_name="D").outlet == new
    assert (new.name, new.periodicity, new.kind) == ("Le Nouveau Quotidien", "weekly", "print")


def test_ambiguous_near_outlet_is_not_guessed(cast):
    factories.outlet(cast["director"], "Radio Alpha 1")
    factories.outlet(cast["director"], "Radio Alpha 2")
    result = run(cast["officer"], "Nom;Média\nA;Radio Alpha\n")
    assert result.ok and result.outlets_created == 1


def test_french_words_for_roles_kinds_and_periodicities(cast):
    text = (
        "Nom;Rôle;Média;Type;Périodicité\n"
        "A;Journaliste;T1;Télévision;Quotidien\n"
        "B;recherchiste;T2;radio;hebdo\n"
        "C;Rédacteur en chef;T3;presse écrite;mensuel\n"
        "D;blogueuse;T4;blog;bimestriel\n"
    )
    assert run(cast["officer"], text).ok
    got = {
        c.last_name: (c.role, c.outlet.kind, c.outlet.periodicity)
        for c in Contact.objects.select_related("outlet")
    }
    assert got == {
        "A": ("journalist", "tv", "daily"),
        "B": ("researcher", "radio", "weekly"),
        "C": ("editor", "print", "monthly"),
        "D": ("blogger", "blog", "bimonthly"),
    }


def test_map_option_corrects_the_automatic_mapping(cast):
    text = "Nom;Support;Divers\nDubois;Le Progrès;Rencontrée au salon\n"
    result = run(cast["officer"], text, map_overrides=["Divers=notes", "Support=outlet_name"])
    assert result.ok
    claire = Contact.objects.get()
    assert claire.outlet.name == "Le Progrès" and claire.notes == "Rencontrée au salon"
    result = run(cast["officer"], text, map_overrides=["Support=outlet"], dry_run=True)
    assert not result.ok and "Unknown field" in result.errors[0].message


# --- Permissions -------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["intern", "cm", "viewer", "outsider"])
def test_only_roles_with_the_capability_may_import(cast, username):
    with pytest.raises(PermissionDenied):
        run(cast[username], FRENCH)
    assert Contact.objects.count() == 0


@pytest.mark.parametrize("username", ["director", "manager", "officer"])
def test_import_roles(cast, username):
    assert run(cast[username], FRENCH).ok


def test_large_file_is_checked_on_several_processes(cast, monkeypatch):
    from relance.contacts.importing import checking

    monkeypatch.setattr(checking, "PARALLEL_MIN_ROWS", 50)
    if len(os.sched_getaffinity(0)) > 1 and checking.single_threaded():
        assert checking._worker_count(301) > 1  # the forked path is the one tested
    rnd = random.Random(3)
    lines = ["Nom;Prénom;Média;Courriel;Téléphone"]
    for i in range(300):
        last = "".join(rnd.choice("bcdfglmnprstvz") + rnd.choice("aeiou") for _ in range(4))
        phone = f"06 12 34 {i // 100:02d} {i % 100:02d}"
        lines.append(f"{last.title()};Anne;Média {i % 7};p{i}@exemple.fr;{phone}")
    lines.append("Faux;Ligne;Média 1;pas-une-adresse;")
    result = run(cast["officer"], "\n".join(lines) + "\n")
    assert [(p.row, p.column) for p in result.errors] == [(302, "Courriel")]
    result = run(cast["officer"], "\n".join(lines[:-1]) + "\n")
    assert result.ok and result.created == 300 and Contact.objects.count() == 300


def _mixed_table(rows: int):
    from relance.contacts.importing import load

    rnd = random.Random(11)
    lines = ["Nom;Prénom;Média;Courriel;Téléphone;En pause jusqu'au;Rubriques"]
    for i in range(rows):
        last = "".join(rnd.choice("bcdfglmnprstvz") + rnd.choice("aeiou") for _ in range(4))
        email = f"p{i}@exemple.fr" if i % 97 else "pas-une-adresse"
        pause = "2031-05-04" if i % 50 == 7 else ""
        lines.append(
            f"{last.title()};Anne;Média {i % 9};{email};06 12 34 {i // 100:02d} {i % 100:02d};"
            f"{pause};Énergie; Climat"
        )
    return load(("\n".join(lines) + "\n").encode(), "contacts.csv")


def test_checking_on_several_processes_gives_the_single_process_result(monkeypatch):
    """Chunks shared between this process and forked workers, packed by
    marshal or by pickle (dates, problems): the same rows, in file order."""
    from relance.contacts.importing import checking, resolve_mapping
    from relance.contacts.importing.mapping import compile_mapping
    from relance.contacts.importing.plan import resolve_outlets

    table = _mixed_table(700)
    spec = compile_mapping(table, resolve_mapping(table, None))
    outlets, _matched = resolve_outlets(table, spec)
    context = checking.Context(table=table, spec=spec, outlets=outlets, lenient_phones=False)
    alone = checking.check_rows(context)
    monkeypatch.setattr(checking, "PARALLEL_MIN_ROWS", 50)
    if len(os.sched_getaffinity(0)) > 1 and checking.single_threaded():
        assert checking._worker_count(700) > 1  # the forked path is the one tested
    shared = checking.check_rows(context)
    assert [r.at for r in shared] == list(range(700))

    def plain(rows):
        return [
            (r.values, r.present, r.name_key, r.document, [p.as_dict() for p in r.problems])
            for r in rows
        ]

    assert plain(shared) == plain(alone)
    assert sum(1 for r in shared if r.problems) == 8
    # Valid rows without dates only: the marshal path.
    valid = [i for i in range(700) if i % 97 and i % 50 != 7]
    table.rows = [table.rows[i] for i in valid]
    table.numbers = [table.numbers[i] for i in valid]
    table.lines = [table.lines[i] for i in valid] if table.lines else None
    assert plain(checking.check_rows(context)) == plain([r for r in alone if r.at in set(valid)])


def test_bulk_fulltext_stands_in_for_the_insert_trigger():
    from django.db import connection

    from relance.contacts.importing.writer import fulltext_select

    old = (
        "CREATE TRIGGER t AFTER INSERT ON contacts_contact BEGIN\n"
        "  INSERT INTO contacts_contact_fts(rowid, search_document)\n"
        "  VALUES (new.id, new.search_document);\nEND"
    )
    assert fulltext_select(old) == (
        "INSERT INTO contacts_contact_fts(rowid, search_document) SELECT contacts_contact.id, "
        "contacts_contact.search_document FROM contacts_contact "
        "WHERE id BETWEEN %s AND %s ORDER BY 1"
    )
    assert fulltext_select(old.replace("new.id", "new.id; DELETE FROM x")) is None
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'contacts_contact_fts_ai'")
            # The trigger of the current migrations: the fast path is taken.
            assert fulltext_select(cursor.fetchone()[0]) is not None


def test_a_beat_known_under_another_spelling_is_linked(cast):
    """The base's spelling goes into the document, and the contact is linked
    to that beat (it once lost the link when the spellings differed)."""
    Beat.objects.create(name="energie", key="energie")
    text = (
        "Nom;Prénom;Courriel;Rubriques\n"
        "Dubois;Claire;claire@exemple.fr;Énergie\n"
        "Martin;Luc;luc@exemple.fr;Climat\n"
        "Roux;Anne;anne@exemple.fr;climat, ÉNERGIE\n"
    )
    assert run(cast["officer"], text).ok
    beats = {c.last_name: sorted(b.name for b in c.beats.all()) for c in Contact.objects.all()}
    assert beats == {
        "Dubois": ["energie"],
        "Martin": ["Climat"],
        "Roux": ["Climat", "energie"],
    }
    assert Beat.objects.count() == 2
    roux = Contact.objects.get(last_name="Roux")
    assert "zqbeatenergie" in roux.search_document and "zqbeatclimat" in roux.search_document

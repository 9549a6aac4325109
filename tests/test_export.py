"""Exporting contacts: formats, who may, opted-out people, erased people, the
audit trail, and the round trip (an export re-imports to the same data)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import vobject
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import translation

from relance.audit.models import AuditEntry
from relance.contacts.exporting import prepare_export
from relance.contacts.importing import import_contacts
from relance.contacts.models import Beat, Contact, MediaList, Outlet
from relance.contacts.search import ContactFilters
from relance.contacts.services.contacts import set_opt_out
from relance.contacts.services.gdpr import erase_person
from relance.contacts.services.lists import add_members, create_list
from tests import factories

pytestmark = pytest.mark.django_db


def export_bytes(user, fmt="csv", **options) -> bytes:
    buffer = io.BytesIO()
    prepare_export(user, fmt, **options).write(buffer)
    return buffer.getvalue()


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def base(cast):
    """Three reachable contacts, one opted out, one do-not-contact, one erased."""
    director = cast["director"]
    lyon = factories.outlet(director, "Le Courrier de Lyon", kind="print", periodicity="daily")
    made = {
        "claire": factories.contact(
            director, "Dubois", emails=["claire@exemple.fr"], outlet_id=lyon.pk
        ),
        "luc": factories.contact(director, "Martin", first_name="Luc", emails=["luc@exemple.fr"]),
        "ana": factories.contact(director, "Lopes", first_name="Ana", notes="=HYPERLINK(1)"),
        "out": factories.contact(director, "Roux", first_name="Paul"),
        "dnc": factories.contact(director, "Blanc", first_name="Léa", do_not_contact=True),
        "gone": factories.contact(director, "Faure", first_name="Eve", emails=["eve@exemple.fr"]),
    }
    set_opt_out(None, made["out"], True, by_journalist=True)
    erase_person(director, made["gone"])
    return made


def test_csv_export_leaves_out_opted_out_and_erased_people(cast, base):
    rows = csv_rows(export_bytes(cast["officer"]))
    assert sorted(r["Last name"] for r in rows) == ["Dubois", "Lopes", "Martin"]
    claire = next(r for r in rows if r["Last name"] == "Dubois")
    assert claire["E-mail"] == "claire@exemple.fr" and claire["Outlet"] == "Le Courrier de Lyon"
    assert claire["Outlet kind"] == "Print" and claire["Periodicity"] == "Daily"
    # A cell a spreadsheet would run as a formula is made inert.
    assert next(r for r in rows if r["Last name"] == "Lopes")["Notes"] == "'=HYPERLINK(1)"


def test_directors_and_managers_may_include_opted_out_people_with_their_flags(cast, base):
    for username in ("director", "manager"):
        rows = csv_rows(export_bytes(cast[username], include_opted_out=True))
        by_name = {r["Last name"]: r for r in rows}
        assert sorted(by_name) == ["Blanc", "Dubois", "Lopes", "Martin", "Roux"]  # never Faure
        assert by_name["Roux"]["Opted out"] == "yes"
        assert by_name["Roux"]["Opted out by"] == "journalist"
        assert by_name["Blanc"]["Do not contact"] == "yes"
    with pytest.raises(PermissionDenied):
        prepare_export(cast["officer"], "csv", include_opted_out=True)


@pytest.mark.parametrize("username", ["intern", "cm", "viewer", "outsider"])
def test_roles_without_the_capability_cannot_export(cast, base, username):
    with pytest.raises(PermissionDenied):
        prepare_export(cast[username], "csv")


def test_every_export_is_audited(cast, base):
    prepare_export(cast["officer"], "xlsx", filters=ContactFilters(q="dubois"))
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == cast["officer"]
    assert entry.changes["format"] == "xlsx" and entry.changes["count"] == 1
    assert entry.changes["filters"] == {"q": "dubois"}


def test_export_of_a_list(cast, base):
    media_list = create_list(cast["director"], {"name": "Presse lyonnaise"})
    add_members(cast["director"], media_list, [base["claire"].pk, base["out"].pk])
    rows = csv_rows(export_bytes(cast["officer"], media_list=media_list))
    assert [r["Last name"] for r in rows] == ["Dubois"]  # the opted-out member is left out


def test_xlsx_export_holds_text_never_formulas(cast, base):
    book = openpyxl.load_workbook(io.BytesIO(export_bytes(cast["officer"], "xlsx")))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    notes = header.index("Notes")
    values = [row[notes].value for row in sheet.iter_rows(min_row=2)]
    assert "=HYPERLINK(1)" in values
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_vcard_export_reads_back_with_vobject(cast, base):
    cards = list(vobject.readComponents(export_bytes(cast["officer"], "vcf").decode()))
    assert sorted(c.n.value.family for c in cards) == ["Dubois", "Lopes", "Martin"]
    claire = next(c for c in cards if c.n.value.family == "Dubois")
    assert claire.email.value == "claire@exemple.fr" and claire.org.value == ["Le Courrier de Lyon"]


# --- Round trip ---------------------------------------------------------------------


def build_rich_base(director) -> None:
    quebec = factories.outlet(
        director,
        "La Voix de l'Estrie",
        kind="radio",
        periodicity="weekly",
        country="CA",
        region="QC",
        city="Sherbrooke",
        website="https://voix.example.ca",
    )
    monde = factories.outlet(
        director, "Le Monde; édition, du soir", kind="print", periodicity="daily"
    )
    factories.contact(
        director,
        "Dubois",
        first_name="Claire",
        role="editor",
        title="Cheffe, rubrique « Climat »",
        outlet_id=monde.pk,
        language="fr",
        emails=[
            {"address": "claire@exemple.fr", "label": "work"},
            {"address": "claire.d@perso.example", "is_primary": True},
        ],
        phones=[{"number": "06 12 34 56 78", "label": "mobile"}, "01 42 68 53 00"],
        beats=["Énergie", "Climat, et environnement"],
        vip=True,
        accepts_phone=False,
        preferred_channel="email",
        best_hours="09:30-11:30",
        paused_until="2030-06-30",
        notes="Préfère les mails.\nJamais le lundi; ni le vendredi.",
        social={"x": "@claire_d", "linkedin": "https://linkedin.example/claire"},
        legal_basis="consent",
        source="Salon 2025",
    )
    luc = factories.contact(
        director,
        "Tremblay",
        first_name="Luc",
        role="host",
        outlet_id=quebec.pk,
        language="en",
        emails=["luc@exemple.ca"],
        phones=["(819) 555-0134"],
        do_not_contact=True,
    )
    set_opt_out(None, luc, True, by_journalist=True)
    factories.contact(director, "Roux", first_name="", emails=["desk@exemple.fr"])


def snapshot() -> list[dict]:
    people = []
    for c in Contact.objects.select_related("outlet").order_by("last_name"):
        o = c.outlet
        people.append(
            {
                "name": (c.first_name, c.last_name),
                "role": c.role,
                "title": c.title,
                "language": c.language,
                "emails": sorted((e.address, e.is_primary) for e in c.emails.all()),
                "phones": sorted((p.number, p.is_primary) for p in c.phones.all()),
                "beats": sorted(b.name for b in c.beats.all()),
                "outlet": (o.name, o.kind, o.periodicity, o.country, o.region, o.city, o.website)
                if o
                else None,
                "flags": (
                    c.accepts_phone,
                    c.opted_out,
                    c.opted_out_source,
                    c.do_not_contact,
                    c.vip,
                    c.paused_until,
                ),
                "social": c.social,
                "notes": c.notes,
                "best_hours": c.best_hours,
                "preferred_channel": c.preferred_channel,
                "legal_basis": c.legal_basis,
                "source": c.source,
            }
        )
    return people


@pytest.mark.parametrize(
    ("fmt", "language"), [("csv", "en"), ("csv", "fr"), ("xlsx", "en"), ("vcf", "en")]
)
def test_an_export_reimports_to_the_same_data(cast, fmt, language):
    build_rich_base(cast["director"])
    before = snapshot()
    assert before[0]["flags"] == (False, False, "", False, True, date(2030, 6, 30))
    with translation.override(language):
        data = export_bytes(cast["director"], fmt, include_opted_out=True)
    Contact.objects.all().delete()
    Outlet.objects.all().delete()
    Beat.objects.all().delete()
    with translation.override(language):
        result = import_contacts(cast["director"], data, filename=f"export.{fmt}")
    assert result.ok, [str(p) for p in result.errors]
    assert result.created == 3 and not result.warnings
    after = snapshot()
    assert len(after) == len(before)
    for again, original in zip(after, before, strict=True):
        for key, value in original.items():
            assert (original["name"], key, again[key]) == (original["name"], key, value)


# --- Command line -----------------------------------------------------------------------


def test_export_command(cast, base, tmp_path: Path):
    target = tmp_path / "contacts.csv"
    call_command("export_contacts", "--output", str(target), stderr=io.StringIO())
    assert len(csv_rows(target.read_bytes())) == 3
    MediaList.objects.create(name="Vide", kind="static")
    call_command(
        "export_contacts",
        "--list",
        "vide",
        "--format",
        "vcf",
        "--output",
        str(tmp_path / "v.vcf"),
        stderr=io.StringIO(),
    )
    assert (tmp_path / "v.vcf").read_bytes() == b""
    call_command(
        "export_contacts",
        "--include-opted-out",
        "--format",
        "xlsx",
        "--output",
        str(tmp_path / "all.xlsx"),
        stderr=io.StringIO(),
    )
    book = openpyxl.load_workbook(tmp_path / "all.xlsx")
    assert book.worksheets[0].max_row == 6  # header + five people, never the erased one
    with pytest.raises(CommandError, match="directors and managers"):
        call_command(
            "export_contacts",
            "--include-opted-out",
            "--user",
            "officer",
            "--output",
            str(tmp_path / "x.csv"),
        )
    with pytest.raises(CommandError, match="role does not allow"):
        call_command("export_contacts", "--user", "intern", "--output", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="No media list"):
        call_command("export_contacts", "--list", "absent")

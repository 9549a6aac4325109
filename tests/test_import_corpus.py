"""Real files written by other tools (tests/data, with their licences): each
contact comes out with the names, e-mails, phones, organisation and title a
person reads in the file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from relance.contacts.importing import import_contacts
from relance.contacts.models import Contact

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def load(user, path: Path, **options):
    return import_contacts(user, path.read_bytes(), filename=path.name, **options)


def people() -> dict[str, Contact]:
    return {c.full_name: c for c in Contact.objects.select_related("outlet")}


def emails(contact: Contact) -> list[str]:
    return [e.address for e in contact.emails.order_by("-is_primary", "id")]


def phones(contact: Contact) -> list[str]:
    return [p.number for p in contact.phones.order_by("-is_primary", "id")]


# --- Thunderbird --------------------------------------------------------------------------

THUNDERBIRD_HEADER = [
    "First Name",
    "Last Name",
    "Display Name",
    "Nickname",
    "Primary Email",
    "Secondary Email",
    "Screen Name",
    "Work Phone",
    "Home Phone",
    "Fax Number",
    "Pager Number",
    "Mobile Number",
    "Home Address",
    "Home Address 2",
    "Home City",
    "Home State",
    "Home ZipCode",
    "Home Country",
    "Work Address",
    "Work Address 2",
    "Work City",
    "Work State",
    "Work ZipCode",
    "Work Country",
    "Job Title",
    "Department",
    "Organization",
    "Web Page 1",
    "Web Page 2",
    "Birth Year",
    "Birth Month",
    "Birth Day",
    "Custom 1",
    "Custom 2",
    "Custom 3",
    "Custom 4",
    "Notes",
]
# Thunderbird's card property for each column of its CSV export.
THUNDERBIRD_PROPERTIES = [
    "FirstName",
    "LastName",
    "DisplayName",
    "NickName",
    "PrimaryEmail",
    "SecondEmail",
    "_AimScreenName",
    "WorkPhone",
    "HomePhone",
    "FaxNumber",
    "PagerNumber",
    "CellularNumber",
    "HomeAddress",
    "HomeAddress2",
    "HomeCity",
    "HomeState",
    "HomeZipCode",
    "HomeCountry",
    "WorkAddress",
    "WorkAddress2",
    "WorkCity",
    "WorkState",
    "WorkZipCode",
    "WorkCountry",
    "JobTitle",
    "Department",
    "Company",
    "WebPage1",
    "WebPage2",
    "BirthYear",
    "BirthMonth",
    "BirthDay",
    "Custom1",
    "Custom2",
    "Custom3",
    "Custom4",
    "Notes",
]


def thunderbird_csv(cards: list[dict], encoding: str = "utf-8") -> bytes:
    """A Thunderbird CSV export of the expected cards (its columns, its quoting)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(THUNDERBIRD_HEADER)
    for card in cards:
        writer.writerow([str(card.get(p, "")) for p in THUNDERBIRD_PROPERTIES])
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def expected() -> dict:
    return json.loads((DATA / "thunderbird/thunderbird-addressbook.expected.json").read_text())


def test_thunderbird_basic_addressbook_matches_expected_json(cast, expected):
    (card,) = expected["basic_addressbook"]
    data = thunderbird_csv([card])
    # The expected phones are fictitious North-American numbers: refused,
    # each named by row and column, and nothing written.
    result = import_contacts(cast["officer"], data, filename="basic_addressbook.csv")
    assert not result.ok and Contact.objects.count() == 0
    assert {(p.row, p.column) for p in result.errors} == {
        (2, "Work Phone"),
        (2, "Home Phone"),
        (2, "Mobile Number"),
    }
    # Mapped to the notes instead, everything else is read as Thunderbird reads it.
    result = import_contacts(
        cast["officer"],
        data,
        filename="basic_addressbook.csv",
        map_overrides=["Work Phone=notes", "Home Phone=notes", "Mobile Number=notes"],
    )
    assert result.ok, result.errors
    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name) == (card["FirstName"], card["LastName"])
    assert emails(contact) == [card["PrimaryEmail"], card["SecondEmail"]]
    assert contact.title == card["JobTitle"]
    assert contact.outlet.name == card["Company"]
    assert card["Notes"] in contact.notes  # the four lines of a quoted multi-line field
    assert card["WorkPhone"] in contact.notes and card["CellularNumber"] in contact.notes


def test_thunderbird_utf16_export_matches_expected_json(cast, expected):
    (card,) = expected["johndoe"]
    result = import_contacts(cast["officer"], thunderbird_csv([card], "utf-16"), filename="u.csv")
    assert result.ok, result.errors
    contact = Contact.objects.get()
    assert contact.full_name == card["DisplayName"]
    assert emails(contact) == [card["PrimaryEmail"]]


def test_thunderbird_quote_csv(cast):
    path = DATA / "thunderbird/thunderbird-quote.csv"
    result = load(cast["officer"], path)
    # Thunderbird keeps "(800) 000-0000" as text; Relance stores valid numbers only.
    (problem,) = result.errors
    assert (problem.row, problem.column, problem.field) == (2, "Work Phone", "phones")
    result = load(cast["officer"], path, map_overrides=["Work Phone=notes"])
    assert result.ok
    contact = Contact.objects.get()
    assert contact.full_name == "Acer America"  # its Display Name
    assert contact.outlet.name == "Acer America"  # its Organization
    assert contact.notes == "Work Phone: (800) 000-0000"  # two notes columns: each named


def test_thunderbird_tab_comma_mixed_csv(cast):
    result = load(cast["officer"], DATA / "thunderbird/thunderbird-tab_comma_mixed.csv")
    assert result.ok, result.errors
    # No header: read in Thunderbird's own column order, as its importer does.
    got = sorted((c.first_name, c.last_name, emails(c)) for c in Contact.objects.all())
    assert got == [(n, n, [f"{n}@host.invalid"]) for n in "1234"]


def test_thunderbird_vcard_addressbook(cast):
    result = load(cast["officer"], DATA / "thunderbird/thunderbird-basic_vcard_addressbook.vcf")
    assert result.ok and result.created == 2
    found = people()
    assert emails(found["John Doe"]) == ["john.doe@genericemail.invalid"]
    assert emails(found["Jane Doe"]) == ["jane.doe@genericemail.invalid"]


# --- vCards -----------------------------------------------------------------------------


def vcard(user, name: str):
    result = load(user, DATA / "vcards" / name)
    assert result.ok, [str(p) for p in result.errors]
    return result


def test_outlook_2003_vcard_21(cast):
    result = vcard(cast["officer"], "outlook-2003.vcf")
    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name) == ("John", "Doe")
    assert emails(contact) == ["jdoe@hotmail.com"]
    assert contact.outlet.name == "Company, The" and contact.title == "The Job Title"
    assert contact.notes.startswith("This is the note field!!\nSecond line\n\nThird line is empty")
    # The phone fields hold words, not numbers: kept in the notes, and said.
    assert phones(contact) == []
    assert "BusinessPhone (work)" in contact.notes and "MobilePhone (mobile)" in contact.notes
    assert {w.column for w in result.warnings} == {"TEL"}
    assert all(w.vcard and w.row == 1 and w.line == 1 for w in result.warnings)


def test_rfc2426_vcards_30(cast):
    vcard(cast["officer"], "rfc2426-example.vcf")
    found = people()
    frank, tim = found["Frank Dawson"], found["Tim Howes"]
    assert (frank.first_name, frank.last_name) == ("Frank", "Dawson")  # from FN alone
    assert emails(frank) == ["Frank_Dawson@lotus.com", "fdawson@earthlink.net"]  # PREF first
    assert phones(frank) == ["+19196769515"]  # the fax is not a number to call
    assert frank.outlet.name == "Lotus Development Corporation"
    assert emails(tim) == ["howes@netscape.com"] and phones(tim) == ["+14159373419"]
    assert tim.outlet.name == "Netscape Communications Corp."


def test_rfc6350_vcard_40(cast):
    vcard(cast["officer"], "rfc6350-example.vcf")
    simon = Contact.objects.get()
    assert (simon.first_name, simon.last_name) == ("Simon", "Perreault")
    assert emails(simon) == ["simon.perreault@viagenie.ca"]
    assert phones(simon) == ["+14186569254", "+14182626501"]  # PREF=1 first
    assert simon.outlet.name == "Viagenie"


def test_vobject_vcard_40_full(cast):
    vcard(cast["officer"], "vobject-vcard40_full.vcf")
    john = Contact.objects.get()
    assert (john.first_name, john.last_name) == ("John Quinlan", "Public")
    assert emails(john) == ["johnny@personal.example.org", "john.public@example.com"]
    assert john.outlet.name == "Example Corp." and john.title == "CEO"
    assert sorted(b.name for b in john.beats.all()) == ["BUSINESS", "NETWORKING"]
    assert john.notes.startswith("This is a note about John.\nHe likes vCards.")
    assert "+1-555-555-5555" in john.notes  # a fictitious number, kept as text


def test_fullcontact_vcard(cast):
    vcard(cast["officer"], "fullcontact.vcf")
    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name) == ("FirstName MiddleName", "LastName")
    assert emails(contact) == [
        "home@example.com",
        "work@example.com",
        "school@example.com",
        "other@example.com",
        "custom@example.com",
    ]
    assert contact.outlet.name == "Organization1" and contact.title == "Title1"
    assert [b.name for b in contact.beats.all()] == ["Tag"]
    assert "Notes line 1\nNotes line 2" in contact.notes
    assert "555-555-1111 (home)" in contact.notes and "555-555-1116" not in contact.notes


def test_gmail_vcards(cast):
    vcard(cast["officer"], "gmail-list.vcf")
    found = people()
    assert sorted(found) == ["Arnold Smith", "Chris Beatle", "Doug White"]
    assert emails(found["Arnold Smith"]) == ["asmithk@gmail.com"]
    vcard(cast["officer"], "gmail-single.vcf")
    greg = people()["Greg Dartmouth"]
    assert emails(greg) == ["gdartmouth@hotmail.com"]
    assert greg.outlet.name == "TheCompany" and greg.title == "TheJobTitle"
    assert "555 555 1111 (mobile)" in greg.notes and "555 555 2222" in greg.notes
    vcard(cast["officer"], "gmail-single2.vcf")
    test = people()["VCard Test"]
    assert emails(test)[0] == "email@example.com" and len(emails(test)) == 5
    assert test.title == "TheJobTitle"

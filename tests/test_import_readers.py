"""Reading contact files: CSV dialects and encodings, XLSX, vCards, format
detection, and files that are not contact files at all."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from relance.contacts.importing.base import ImportFileError, cell_text
from relance.contacts.importing.readers import detect_format, read_table

DATA = Path(__file__).parent / "data"

HEADER = ["Nom", "Prénom", "Média", "Courriel"]
ROWS = [
    ["Dubois", "Claire", "Le Courrier, édition du soir", "claire@exemple.fr"],
    ["Lefèvre", "Hélène", "Télé Matin", "helene@exemple.fr"],
]


def _csv(delimiter: str, rows=ROWS, header=HEADER) -> str:
    def quote(cell: str) -> str:
        if any(ch in cell for ch in (delimiter, '"', "\n", ",")):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    lines = [delimiter.join(quote(c) for c in r) for r in [header, *rows]]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp1252"], ids=["utf8", "utf8-bom", "windows-1252"]
)
def test_csv_any_delimiter_and_encoding(delimiter, encoding):
    table = read_table(_csv(delimiter).encode(encoding), "contacts.csv")
    assert table.format == "csv"
    assert table.delimiter == delimiter
    assert table.headers == HEADER  # the BOM does not stick to "Nom"
    assert [r[:4] for r in table.rows] == ROWS
    assert table.numbers == [2, 3]  # as a spreadsheet numbers them: header = row 1


def test_csv_utf16_from_excel_unicode_text():
    table = read_table(_csv("\t").encode("utf-16"), "export.txt")
    assert table.headers == HEADER and table.rows[1][1] == "Hélène"


def test_quoted_fields_with_commas_and_newlines_keep_row_numbers():
    text = (
        "Nom,Prénom,Notes,Courriel\n"
        'Dubois,Claire,"Préfère le matin,\nrappeler après 10h",claire@exemple.fr\n'
        "Martin,Luc,,luc@exemple.fr\n"
    )
    table = read_table(text.encode(), "a.csv")
    assert table.rows[0][2] == "Préfère le matin,\nrappeler après 10h"
    assert table.numbers == [2, 3]  # records, as a spreadsheet shows them
    assert table.lines == [2, 4]  # and the physical line each starts on


def test_blank_rows_are_skipped_but_counted():
    text = "Nom;Courriel\n\nDubois;c@exemple.fr\n;\nMartin;m@exemple.fr\n\n\n"
    table = read_table(text.encode(), "a.csv")
    assert [r[0] for r in table.rows] == ["Dubois", "Martin"]
    assert table.numbers == [3, 5]


def test_thunderbird_quote_csv():
    table = read_table((DATA / "thunderbird/thunderbird-quote.csv").read_bytes(), "quote.csv")
    assert table.headers[:5] == [
        "First Name",
        "Last Name",
        "Display Name",
        "Nickname",
        "Primary Email",
    ]
    assert len(table.rows) == 1
    row = dict(zip(table.headers, table.rows[0], strict=False))
    assert row["Display Name"] == "Acer America"
    assert row["Organization"] == "Acer America"
    assert row["Work Phone"] == "(800) 000-0000"


def test_thunderbird_tab_comma_mixed_csv_splits_each_line_on_its_own_separator():
    data = (DATA / "thunderbird/thunderbird-tab_comma_mixed.csv").read_bytes()
    table = read_table(data, "tab_comma_mixed.csv")
    assert not table.has_header  # the first line is already a contact
    assert len(table.rows) == 4
    # What Thunderbird's own test expects of the fourth record.
    assert [c for c in table.rows[3] if c] == ["4", "4", "4", "4", "4@host.invalid"]
    assert table.rows[0][:5] == ["1", "1", "1", "1", "1@host.invalid"]
    assert table.numbers == [1, 2, 3, 4]


def test_xlsx_first_sheet_with_dates_and_numbers_as_text():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Nom", "Prénom", "Téléphone", "En pause jusqu'au", "Audience"])
    sheet.append(["Dubois", "Claire", 612345678, datetime(2026, 12, 31), 12500.0])
    sheet.append([None, None, None, None, None])
    sheet.append(["Martin", "Luc", "+33 1 42 68 53 00", date(2027, 1, 15), 3.5])
    other = workbook.create_sheet("Ignored")
    other.append(["Nom"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "media.xlsx")
    assert table.format == "xlsx"
    assert table.headers[:2] == ["Nom", "Prénom"]
    assert table.rows[0][2:] == ["612345678", "2026-12-31", "12500"]
    assert table.rows[1][2:] == ["+33 1 42 68 53 00", "2027-01-15", "3.5"]
    assert table.numbers == [2, 4]  # the empty row 3 is skipped, not renumbered


def test_format_detection_from_content_beats_the_extension():
    workbook = openpyxl.Workbook()
    workbook.active.append(["Nom"])
    workbook.active.append(["Dubois"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert detect_format(buffer.getvalue(), "renamed.csv") == "xlsx"
    assert detect_format(b"BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n", "x.txt") == "vcf"
    assert detect_format(b"Nom;Courriel\n", "x.vcf.csv") == "csv"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "empty.csv", "empty"),
        (b"   \n\n", "blank.csv", "empty"),
        (b"Nom;Courriel\n", "header-only.csv", "no contact rows"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", ".xls"),
        (b"PK\x03\x04garbage", "broken.xlsx", "XLSX"),
        (b"Nom\x00;\x00Courriel\x00\n", "nul.csv", "binary"),
        (b"\x81\x8d\x8f\x90\x9d" * 20, "weird.csv", "encoding"),
        (b"just text", "contacts.vcf", "vCard"),
    ],
)
def test_unreadable_files_give_a_clear_message(data, filename, message):
    with pytest.raises(ImportFileError) as excinfo:
        read_table(data, filename)
    assert message.lower() in str(excinfo.value).lower()


def test_unknown_format_name():
    with pytest.raises(ImportFileError, match="Unknown format"):
        read_table(b"Nom\nDubois\n", "a.csv", format="ods")


# --- vCards --------------------------------------------------------------------------


def _cards(name: str) -> list[dict[str, str]]:
    table = read_table((DATA / "vcards" / name).read_bytes(), name)
    assert table.format == "vcf"
    assert not table.problems
    return [
        {h: cell_text(c) for h, c in zip(table.headers, row, strict=True)} for row in table.rows
    ]


def test_vcard_outlook_2003_quoted_printable_and_unescaped_comma():
    (card,) = _cards("outlook-2003.vcf")
    assert card["N (family)"] == "Doe" and card["N (given)"] == "John"
    assert card["ORG"] == "Company, The"  # vCard 2.1 leaves the comma unescaped
    assert card["TITLE"] == "The Job Title"
    assert card["EMAIL"] == "jdoe@hotmail.com"
    # Quoted-printable over a soft line break, all lines kept.
    assert card["NOTE"].startswith("This is the note field!!\nSecond line\n\nThird line")


def test_vcard_grouped_and_preferred_properties():
    (card,) = _cards("rfc2426-example.vcf")[:1]
    assert card["FN"] == "Frank Dawson"
    assert card["EMAIL"].split(", ")[0] == "Frank_Dawson@Lotus.com"  # TYPE=PREF first
    assert card["TEL"] == "+1-919-676-9515"
    assert card["TEL (fax, pager)"] == "+1-919-676-9564"  # a fax is not a number to call
    (card,) = _cards("rfc6350-example.vcf")
    assert card["TEL"].split(", ")[0] == "+1-418-656-9254;ext=102"  # PREF=1 first, tel: gone
    (card,) = _cards("vobject-vcard40_full.vcf")
    assert card["EMAIL"].split(", ")[0] == "johnny@personal.example.org"  # PREF=1 first
    assert card["ORG"] == "Example Corp." and card["TITLE"] == "CEO"
    assert card["CATEGORIES"] == "BUSINESS; NETWORKING"


def test_vcard_apple_item_groups():
    (card,) = _cards("gmail-single2.vcf")
    assert "customcategory@example.com" in card["EMAIL"]  # item1.EMAIL
    assert card["ORG"] == "TheCompany" and card["TITLE"] == "TheJobTitle"


def test_cards_are_numbered_with_their_first_line():
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ana Lopes\nN:Lopes;Ana;;;\nEND:VCARD\n\n"
        "BEGIN:VCARD\nVERSION:3.0\nN:Pereira;Rui\nEMAIL;TYPE=INTERNET:rui@exemple.pt\nEND:VCARD\n"
    )
    table = read_table(text.encode(), "two.vcf")
    assert len(table.rows) == 2
    assert table.numbers == [1, 2] and table.lines == [1, 7]


def test_damaged_embedded_photo_does_not_spoil_the_card():
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lopes;Ana;;;\r\nPHOTO;ENCODING=b;TYPE=JPEG:@@@not\r\n"
        " base64@@\r\nEMAIL:ana@exemple.pt\r\nEND:VCARD\r\n"
    )
    table = read_table(text.encode(), "photo.vcf")
    assert not table.problems
    card = dict(zip(table.headers, table.rows[0], strict=True))
    assert card["N (family)"] == "Lopes" and cell_text(card["EMAIL"]) == "ana@exemple.pt"


def test_unreadable_card_is_reported_with_its_number_and_line():
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nN:Lopes;Ana;;;\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:2.1\nN;ENCODING=QUOTED-PRINTABLE;CHARSET=nonsense:=C3=A9\n"
        "END:VCARD\n"
    )
    table = read_table(text.encode(), "two.vcf")
    assert len(table.rows) == 2
    (problem,) = table.problems
    assert (problem.row, problem.line) == (2, 5)
    assert "Card 2 (line 5)" in str(problem)

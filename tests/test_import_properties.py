"""Whatever file arrives, the import answers with a result (never an
exception) and never half-writes: when the result has errors, nothing in the
media database changed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from relance.contacts.importing import import_contacts
from relance.contacts.models import Beat, Contact, ContactBeat, ContactEmail, ContactPhone, Outlet

pytestmark = pytest.mark.django_db
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def snapshot() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (Contact, ContactEmail, ContactPhone, ContactBeat, Beat, Outlet)
    )


def check_result(user, data: bytes, filename: str, **options) -> None:
    before = snapshot()
    result = import_contacts(user, data, filename=filename, **options)  # must not raise
    event("written" if result.written else "checked" if result.ok else "refused")
    if not result.ok or result.dry_run:
        assert snapshot() == before
        assert result.ok or all(p.message for p in result.errors)
    else:
        assert result.written
        assert result.created + result.updated + result.skipped <= result.total_rows
        assert snapshot()[0] == before[0] + result.created
    result.as_dict()  # the report is always serialisable


@SETTINGS
@given(data=st.binary(max_size=2000), filename=st.sampled_from(["a.csv", "b.xlsx", "c.vcf", "d"]))
def test_arbitrary_bytes(cast, data, filename):
    check_result(cast["officer"], data, filename)


HEADERS = [
    "Nom",
    "Prénom",
    "Média",
    "Courriel",
    "Téléphone",
    "Rubriques",
    "Périodicité",
    "Type",
    "Fonction",
    "Opt-out",
    "En pause jusqu'au",
    "Pays",
    "Last name",
    "Outlet",
    "E-mail",
    "Mobile",
    "Notes",
    "Role",
    "Language",
    "Website",
    "Nom complet",
    "X",
    "Canal",
    "Horaires",
]
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "Dubois",
            "Claire",
            "Le Progrès",
            "claire@exemple.fr",
            "06 12 34 56 78",
            "quotidien",
            "radio",
            "oui",
            "non",
            "2026-12-31",
            "FR",
            "Canada",
            "journaliste",
            "https://exemple.fr",
            "09:30-11:30",
            "Énergie; Climat",
            "n'importe quoi",
            "@",
            "=",
        ]
    ),
    st.text(max_size=12),
)


@st.composite
def csv_files(draw) -> tuple[bytes, str]:
    width = draw(st.integers(1, 6))
    headers = draw(
        st.lists(
            st.one_of(st.sampled_from(HEADERS), st.text(max_size=8)), min_size=width, max_size=width
        )
    )
    rows = draw(st.lists(st.lists(CELLS, min_size=width, max_size=width), max_size=6))
    if draw(st.booleans()):
        # Often a file that could go through: a name column with names in it.
        headers[0] = draw(st.sampled_from(["Nom", "Last name", "Nom complet"]))
        for row in rows:
            row[0] = draw(st.sampled_from(["Dubois", "Claire Martin", "Lefèvre", "Ôté"]))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))

    def quote(cell: str) -> str:
        if any(ch in cell for ch in (delimiter, '"', "\n", "\r", ",", ";")):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    text = "\n".join(delimiter.join(quote(c) for c in row) for row in [headers, *rows]) + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return text.encode(encoding, errors="replace"), encoding


@SETTINGS
@given(file=csv_files(), on_duplicate=st.sampled_from(["skip", "update"]), dry_run=st.booleans())
def test_arbitrary_csv(cast, file, on_duplicate, dry_run):
    data, _encoding = file
    check_result(cast["officer"], data, "fichier.csv", on_duplicate=on_duplicate, dry_run=dry_run)

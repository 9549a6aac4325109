"""`relance import-contacts`: exit status, human and JSON reports, options."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from relance.accounts.models import User
from relance.contacts.models import Contact

pytestmark = pytest.mark.django_db

GOOD = "Nom;Prénom;Média;Courriel\nDubois;Claire;Le Progrès;claire@exemple.fr\n"
BAD = (
    "Nom;Prénom;Média;Courriel;Périodicité\n"
    "Dubois;Claire;Le Progrès;claire@exemple.fr;quotidien\n"
    "Martin;Luc;Le Progrès;luc@;chaque lune\n"
)


def write(tmp_path: Path, text: str | bytes, name: str = "contacts.csv") -> str:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return str(path)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_contacts", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_success_exit_zero_acting_as_the_first_director(cast, tmp_path):
    code, out, _err = run(write(tmp_path, GOOD))
    assert code == 0
    assert "Contacts created: 1," in out
    assert Contact.objects.get().created_by == cast["director"]


def test_json_report(cast, tmp_path):
    code, out, _err = run(write(tmp_path, GOOD), "--json", "--user", "officer")
    assert code == 0
    report = json.loads(out)
    assert report["ok"] is True and report["created"] == 1 and report["errors"] == []
    assert {"updated", "skipped", "duplicates", "rows", "outlets_created"} <= set(report)
    assert Contact.objects.get().created_by == cast["officer"]


def test_errors_exit_one_with_every_problem_and_nothing_written(cast, tmp_path):
    path = write(tmp_path, BAD)
    code, out, _err = run(path)
    assert code == 1 and Contact.objects.count() == 0
    assert "nothing was written" in out
    assert "Row 3, column “Courriel”: “luc@” is not a valid e-mail address." in out
    assert "Row 3, column “Périodicité”" in out
    code, out, _err = run(path, "--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert {(e["row"], e["column"], e["field"]) for e in report["errors"]} == {
        (3, "Courriel", "emails"),
        (3, "Périodicité", "outlet_periodicity"),
    }
    assert all(e["message"] for e in report["errors"])


def test_dry_run_and_duplicates(cast, tmp_path):
    path = write(tmp_path, GOOD)
    assert run(path)[0] == 0
    code, out, _err = run(path, "--dry-run", "--json")
    report = json.loads(out)
    assert code == 0 and report["dry_run"] and report["skipped"] == 1
    assert report["duplicates"][0]["kind"] == "email"
    code, out, _err = run(
        write(tmp_path, GOOD.replace("Claire", "Claire-Anne")), "--on-duplicate", "update"
    )
    assert code == 0 and "updated: 1" in out
    assert Contact.objects.get().first_name == "Claire-Anne"


def test_map_option(cast, tmp_path):
    path = write(tmp_path, "Nom;Employeur\nDubois;Le Progrès\n")
    code, out, _err = run(path, "--map", "Employeur=outlet_name")
    assert code == 0
    assert Contact.objects.get().outlet.name == "Le Progrès"
    code, out, _err = run(path, "--map", "Employeur=media", "--dry-run")
    assert code == 1 and "Unknown field “media”" in out


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (bytes(range(256)) * 8, "noise.bin", "not"),
        (b"PK\x03\x04\x00\x00broken", "book.xlsx", "not a valid XLSX"),
        (b"Nom;Courriel\n", "header.csv", "no contact rows"),
    ],
)
def test_bad_files_give_a_message_not_a_traceback(cast, tmp_path, content, name, message):
    code, out, err = run(write(tmp_path, content, name))
    assert code == 1 and message in out
    assert "Traceback" not in out + err


def test_missing_file(cast, tmp_path):
    code, out, _err = run(str(tmp_path / "nowhere.csv"), "--json")
    assert code == 1 and "No such file" in json.loads(out)["errors"][0]["message"]


def test_wrong_format_option(cast, tmp_path):
    code, out, _err = run(write(tmp_path, GOOD), "--format", "xlsx")
    assert code == 1 and "XLSX" in out


def test_users_without_the_right_or_without_a_director(cast, tmp_path):
    path = write(tmp_path, GOOD)
    with pytest.raises(CommandError, match="intern: Your role does not allow this"):
        run(path, "--user", "intern")
    with pytest.raises(CommandError, match="No active user"):
        run(path, "--user", "nobody")
    User.objects.filter(role="director").update(is_active=False)
    with pytest.raises(CommandError, match="--user"):
        run(path)


def test_help_says_who_it_acts_as(capsys):
    with pytest.raises(SystemExit):
        call_command("import_contacts", "--help")
    assert "first active director" in " ".join(capsys.readouterr().out.split())

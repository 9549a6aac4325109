"""The import and export pages: upload, mapping with its live check, the
queued task, the progress page, and who may reach them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from relance.contacts.models import Contact, ImportJob, ImportState
from tests import factories

pytestmark = pytest.mark.django_db

CSV = (
    "Nom;Prénom;Maison;Courriel;Téléphone\n"
    "Dubois;Claire;Le Progrès;claire@exemple.fr;04 78 12 34 56\n"
    "Martin;Luc;Le Progrès;luc@exemple.fr;\n"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(http, text: str = CSV, name: str = "presse.csv", on_duplicate: str = "skip"):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return http.post(
        reverse("contacts:import_upload"), {"file": file, "on_duplicate": on_duplicate}
    )


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("director", 200),
        ("manager", 200),
        ("officer", 200),
        ("intern", 403),
        ("cm", 403),
        ("viewer", 403),
    ],
)
def test_who_reaches_the_import_page(login, username, status):
    assert login(username).get(reverse("contacts:import_upload")).status_code == status


@pytest.mark.parametrize(
    ("username", "status"),
    [("director", 200), ("officer", 200), ("intern", 403), ("cm", 403), ("viewer", 403)],
)
def test_who_reaches_the_export(login, username, status):
    http = login(username)
    assert http.get(reverse("contacts:export")).status_code == status
    assert http.get(reverse("contacts:export"), {"format": "csv"}).status_code == status


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("contacts:import_upload"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_upload_then_mapping_page_with_preview(login):
    http = login("officer")
    response = upload(http)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:import_mapping", args=[job.pk])
    assert (job.format, job.total_rows, job.state) == ("csv", 2, ImportState.UPLOADED)
    assert job.mapping["2"] == "ignore"  # "Maison" is not a header Relance knows
    page = http.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="col_2"' in html and "Le Progrès" in html  # the column and its samples
    assert "2 new contacts" in html
    assert Contact.objects.count() == 0  # nothing written by looking


def test_changing_a_column_rechecks_the_file(login):
    http = login("officer")
    job = ImportJob.objects.get(pk=upload(http).url.rstrip("/").split("/")[-1])
    url = reverse("contacts:import_mapping", args=[job.pk])
    form = {
        "col_0": "last_name",
        "col_1": "first_name",
        "col_2": "outlet_name",
        "col_3": "emails",
        "col_4": "phones",
        "on_duplicate": "update",
    }
    response = http.post(url, form, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="check"')  # only the partial
    assert "1 outlet to create" in html
    job.refresh_from_db()
    assert job.mapping["2"] == "outlet_name" and job.on_duplicate == "update"
    # A wrong choice shows the problem on the cell, and blocks the import.
    form["col_4"] = "paused_until"
    html = http.post(url, form, HTTP_HX_REQUEST="true").content.decode()
    assert "is not a date" in html and 'class="bad"' in html and "disabled" in html


def test_import_runs_as_a_task_and_the_progress_page_shows_the_result(
    login, cast, django_capture_on_commit_callbacks
):
    http = login("officer")
    job = ImportJob.objects.get(pk=upload(http).url.rstrip("/").split("/")[-1])
    form = {"col_2": "outlet_name", "on_duplicate": "skip"}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = http.post(reverse("contacts:import_start", args=[job.pk]), form)
    assert len(callbacks) == 1
    assert response["Location"] == reverse("contacts:import_progress", args=[job.pk])
    job.refresh_from_db()
    assert job.state == ImportState.DONE and job.processed_rows == job.total_rows == 2
    assert job.report["created"] == 2 and job.finished_at
    assert {c.outlet.name for c in Contact.objects.all()} == {"Le Progrès"}
    assert all(c.created_by == cast["officer"] for c in Contact.objects.all())
    assert not job.file  # the uploaded copy of personal data is not kept once imported
    page = http.get(response["Location"])
    assert "Import finished. Contacts created: 2 ·" in page.content.decode()
    partial = http.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="status"') and "hx-trigger" not in partial
    # Starting again does nothing: the job was claimed once.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        http.post(reverse("contacts:import_start", args=[job.pk]), form)
    assert callbacks == [] and Contact.objects.count() == 2


def test_failed_import_lists_every_problem_and_writes_nothing(
    login, django_capture_on_commit_callbacks
):
    http = login("officer")
    text = CSV + "Roux;Paul;Le Progrès;paul@;06 12\n"
    job = ImportJob.objects.get(pk=upload(http, text).url.rstrip("/").split("/")[-1])
    with django_capture_on_commit_callbacks(execute=True):
        http.post(reverse("contacts:import_start", args=[job.pk]), {"col_2": "outlet_name"})
    job.refresh_from_db()
    assert job.state == ImportState.FAILED and Contact.objects.count() == 0
    html = http.get(reverse("contacts:import_progress", args=[job.pk])).content.decode()
    assert "nothing was written" in html
    assert "“paul@” is not a valid e-mail address." in html and "Courriel" in html
    # The file is still there: back to the columns, without uploading again.
    response = http.post(reverse("contacts:import_edit", args=[job.pk]))
    assert response["Location"] == reverse("contacts:import_mapping", args=[job.pk])
    job.refresh_from_db()
    assert job.state == ImportState.UPLOADED and job.file


def test_a_running_job_polls(login, cast):
    job = ImportJob.objects.create(
        created_by=cast["officer"],
        filename="x.csv",
        format="csv",
        state=ImportState.RUNNING,
        total_rows=1000,
        processed_rows=250,
        file="imports/x.csv",
    )
    html = (
        login("officer")
        .get(reverse("contacts:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert 'hx-trigger="every 500ms"' in html and 'value="250" max="1000"' in html


def test_a_job_whose_worker_died_can_be_run_again(login, cast, settings):
    job = ImportJob.objects.get(pk=upload(login("officer")).url.rstrip("/").split("/")[-1])
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportState.RUNNING, report={"phase": "writing", "at": "2020-01-01T00:00:00+00:00"}
    )
    http = login("officer")
    html = http.get(reverse("contacts:import_progress", args=[job.pk])).content.decode()
    assert "stopped without finishing" in html and "hx-trigger" not in html
    http.post(reverse("contacts:import_edit", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ImportState.UPLOADED


def test_someone_elses_job_is_not_found(login):
    job = ImportJob.objects.get(pk=upload(login("officer")).url.rstrip("/").split("/")[-1])
    assert (
        login("manager").get(reverse("contacts:import_mapping", args=[job.pk])).status_code == 404
    )
    assert (
        login("director").get(reverse("contacts:import_mapping", args=[job.pk])).status_code == 200
    )


def test_unreadable_or_too_large_files_are_refused_on_the_form(login, settings):
    http = login("officer")
    response = upload(http, "", name="vide.csv")
    assert response.status_code == 200 and "empty" in response.content.decode()
    response = upload(http, "\x00\x01\x02binary\x00", name="x.bin")
    assert response.status_code == 200 and "binary" in response.content.decode()
    settings.IMPORT_MAX_BYTES = 50
    response = upload(http)
    assert response.status_code == 200 and "largest accepted" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_export_page_and_download(login, cast):
    factories.contact(cast["director"], "Dubois", emails=["claire@exemple.fr"])
    out = factories.contact(cast["director"], "Roux")
    out.opted_out = True
    out.save()
    http = login("director")
    page = http.get(reverse("contacts:export"), {"q": "dubois"})
    html = page.content.decode()
    assert page.status_code == 200 and 'name="include_opted_out"' in html
    assert 'name="q" value="dubois"' in html
    response = http.get(reverse("contacts:export"), {"format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    assert "Dubois" in body and "Roux" not in body
    response = http.get(reverse("contacts:export"), {"format": "csv", "include_opted_out": "1"})
    assert "Roux" in b"".join(response.streaming_content).decode("utf-8-sig")
    officer = login("officer")
    assert "include_opted_out" not in officer.get(reverse("contacts:export")).content.decode()
    response = officer.get(reverse("contacts:export"), {"format": "csv", "include_opted_out": "1"})
    assert response.status_code == 403

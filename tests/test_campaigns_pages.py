"""The campaign pages: list with filters, the brief, the form, the media kit."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from relance.accounts.models import Client
from relance.campaigns.models import Campaign

from .factories import campaign

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def briefs(cast, client_company):
    other = Client.objects.create(name="Autre Client")
    release = campaign(
        cast["manager"],
        title="Parc éolien de Fécamp",
        summary="Mise en service",
        talking_points=["80 éoliennes en mer", "Visite possible le 12"],
        key_messages=["Premier parc normand"],
        body="<p>Le parc <strong>entre en service</strong>.</p>",
        team=["officer"],
    )
    event = campaign(
        cast["manager"],
        title="Salon de l'énergie",
        kind="event",
        event_at="2026-05-01T10:00",
        event_place="Eurexpo, Lyon",
        client_id=other.pk,
    )
    return {"release": release, "event": event, "other": other}


def test_the_list_filters_and_searches(login, briefs):
    http = login("intern")
    url = reverse("campaigns:campaign_list")
    page = http.get(url).content.decode()
    assert "Parc éolien de Fécamp" in page and "Salon de l&#x27;énergie" in page
    page = http.get(url, {"q": "EOLIEN"}).content.decode()
    assert "Fécamp" in page and "Salon" not in page
    page = http.get(url, {"kind": "event"}).content.decode()
    assert "Fécamp" not in page and "Salon" in page
    page = http.get(url, {"client": briefs["other"].pk}).content.decode()
    assert "Fécamp" not in page and "Salon" in page
    partial = http.get(url, {"q": "salon"}, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"Salon" in partial.content
    assert partial["HX-Push-Url"] == url + "?q=salon"


def test_the_list_for_a_client_viewer_shows_only_their_campaigns(login, briefs):
    page = login("viewer").get(reverse("campaigns:campaign_list")).content.decode()
    assert "Fécamp" in page and "Salon" not in page and "Autre Client" not in page


def test_the_brief_shows_talking_points_first(login, briefs):
    c = briefs["release"]
    page = login("cm").get(reverse("campaigns:campaign_detail", args=[c.pk])).content.decode()
    assert page.index("80 éoliennes en mer") < page.index("entre en service")
    assert "<strong>entre en service</strong>" in page
    assert "Premier parc normand" in page
    assert reverse("campaigns:campaign_edit", args=[c.pk]) not in page  # read only


def test_creating_an_event_from_the_form(login, cast, client_company):
    http = login("officer")
    url = reverse("campaigns:campaign_create")
    assert http.get(url).status_code == 200
    data = {
        "client_id": client_company.pk,
        "title": "Conférence de presse annuelle",
        "kind": "press_conference",
        "language": "fr",
        "summary": "",
        "body": "Premier paragraphe.\n\nSecond.",
        "key_messages": "Croissance de 12 %",
        "talking_points": "- Invitation au petit-déjeuner\n- Interviews possibles",
        "embargo_until": "",
        "event_at": "2026-06-02T09:30",
        "event_place": "Hôtel de Ville, Lyon",
        "manager": "officer",
        "team": ["intern"],
    }
    response = http.post(url, data)
    c = Campaign.objects.get(title="Conférence de presse annuelle")
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:campaign_detail", args=[c.pk])
    assert c.talking_points == ["Invitation au petit-déjeuner", "Interviews possibles"]
    assert c.body == "<p>Premier paragraphe.</p><p>Second.</p>"
    assert list(c.team.values_list("username", flat=True)) == ["intern"]


def test_form_errors_show_next_to_the_fields_and_nothing_is_saved(login, client_company):
    response = login("manager").post(
        reverse("campaigns:campaign_create"),
        {
            "client_id": client_company.pk,
            "title": "Sans date",
            "kind": "event",
            "language": "fr",
            "manager": "manager",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["event_at"] == ["An event or a press conference needs a date and time."]
    assert "event_place" in form.errors
    assert not Campaign.objects.exists()


def test_editing_keeps_the_values_and_saves(login, briefs):
    c = briefs["release"]
    http = login("officer")  # on the team
    url = reverse("campaigns:campaign_edit", args=[c.pk])
    form = http.get(url).context["form"]
    data = {k: v for k, v in form.initial.items()}
    data["title"] = "Parc éolien : mise en service"
    response = http.post(url, data)
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.title == "Parc éolien : mise en service"
    assert c.talking_points == ["80 éoliennes en mer", "Visite possible le 12"]
    assert list(c.team.values_list("username", flat=True)) == ["officer"]


def test_a_press_officer_not_on_the_campaign_cannot_edit_it(login, briefs):
    url = reverse("campaigns:campaign_edit", args=[briefs["event"].pk])
    assert login("officer").get(url).status_code == 403


def test_deleting_a_campaign(login, briefs):
    c = briefs["event"]
    http = login("manager")
    response = http.post(reverse("campaigns:campaign_delete", args=[c.pk]))
    assert response.status_code == 302
    assert not Campaign.objects.filter(pk=c.pk).exists()


def test_uploading_downloading_and_removing_a_file(login, briefs):
    c = briefs["release"]
    http = login("officer")
    upload = reverse("campaigns:attachment_upload", args=[c.pk])
    response = http.post(upload, {"file": SimpleUploadedFile("kit.pdf", PDF), "title": "Kit"})
    assert response.status_code == 302
    attachment = c.attachments.get()
    download = reverse("campaigns:attachment_download", args=[c.pk, attachment.pk])
    got = login("viewer").get(download)
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert b"".join(got.streaming_content) == PDF
    assert "attachment" in got["Content-Disposition"]
    page = http.get(reverse("campaigns:campaign_detail", args=[c.pk])).content.decode()
    assert "Kit" in page and download in page
    http.post(reverse("campaigns:attachment_delete", args=[c.pk, attachment.pk]))
    assert not c.attachments.exists()


def test_a_fake_pdf_is_refused_with_a_message(login, briefs):
    c = briefs["release"]
    http = login("officer")
    response = http.post(
        reverse("campaigns:attachment_upload", args=[c.pk]),
        {"file": SimpleUploadedFile("kit.pdf", b"<html><script>x</script></html>")},
        follow=True,
    )
    assert "Only PDF files and images" in response.content.decode()
    assert not c.attachments.exists()


def test_another_clients_campaign_is_not_found_for_a_viewer(login, briefs):
    c = briefs["event"]
    http = login("viewer")
    assert http.get(reverse("campaigns:campaign_detail", args=[c.pk])).status_code == 404
    attachment_url = reverse("campaigns:attachment_download", args=[c.pk, 1])
    assert http.get(attachment_url).status_code == 404


def test_navigation_has_campaigns(login, briefs):
    for who in ("intern", "viewer"):
        page = login(who).get(reverse("home")).content.decode()
        assert reverse("campaigns:campaign_list") in page

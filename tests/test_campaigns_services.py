"""Campaign briefs through the services: validation, sanitising, who may
write, the media kit's file checks, and the audit trail."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from relance.accounts.models import Client
from relance.audit.models import AuditEntry
from relance.campaigns import services
from relance.campaigns.models import Campaign, CampaignAttachment

from .factories import campaign

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML_AS_PDF = b"<!doctype html><html><script>alert(1)</script></html>"


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def errors_of(call, *args, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.message_dict


# --- Creating and validating -------------------------------------------------------


def test_a_release_is_created_with_defaults_and_audited(cast, client_company):
    c = campaign(
        cast["manager"],
        summary="Le parc de Fécamp entre en service.",
        key_messages=["- 80 éoliennes", "", "• Premier parc en mer normand  "],
        talking_points="Visite du parc possible\n\n2. Interview du directeur",
        team=["officer", "intern"],
    )
    assert c.status == "draft" and c.kind == "release"
    assert c.language == client_company.language
    assert c.manager == cast["manager"] and c.created_by == cast["manager"]
    assert c.key_messages == ["80 éoliennes", "Premier parc en mer normand"]
    assert c.talking_points == ["Visite du parc possible", "Interview du directeur"]
    assert sorted(c.team.values_list("username", flat=True)) == ["intern", "officer"]
    assert c.sent_at is None
    entry = AuditEntry.objects.get(target_type="campaign", target_id=c.pk)
    assert entry.action == "create" and entry.actor == cast["manager"]


def test_missing_and_wrong_values_are_named_by_field(cast):
    problems = errors_of(
        services.create_campaign,
        cast["manager"],
        {
            "title": "  ",
            "kind": "webinar",
            "language": "de",
            "embargo_until": "demain",
            "manager": "nobody",
            "team": ["viewer"],
            "colour": "red",
        },
    )
    assert set(problems) == {
        "client_id",
        "title",
        "kind",
        "language",
        "embargo_until",
        "manager",
        "team",
        "colour",
    }
    assert problems["title"] == ["A campaign needs a title."]


def test_events_need_a_date_and_a_place_and_releases_refuse_them(cast, client_company):
    problems = errors_of(
        services.create_campaign,
        cast["manager"],
        {"client_id": client_company.pk, "title": "Inauguration", "kind": "event"},
    )
    assert problems == {
        "event_at": ["An event or a press conference needs a date and time."],
        "event_place": ["An event or a press conference needs a place."],
    }
    problems = errors_of(
        services.create_campaign,
        cast["manager"],
        {
            "client_id": client_company.pk,
            "title": "Résultats",
            "kind": "release",
            "event_at": "2026-03-10T10:00:00+01:00",
            "event_place": "Paris",
        },
    )
    assert set(problems) == {"event_at", "event_place"}
    assert "press release has no event date" in problems["event_at"][0]
    conference = campaign(
        cast["manager"],
        kind="press_conference",
        event_at="2026-03-10T10:00",
        event_place="Maison de la Radio, Paris",
    )
    # A time without an offset is read in the user's time zone.
    assert conference.event_at == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    # Becoming a release while keeping the date is refused, clearing both works.
    problems = errors_of(services.update_campaign, cast["manager"], conference, {"kind": "release"})
    assert set(problems) == {"event_at", "event_place"}
    services.update_campaign(
        cast["manager"], conference, {"kind": "release", "event_at": None, "event_place": ""}
    )
    conference.refresh_from_db()
    assert conference.kind == "release" and conference.event_at is None


def test_messages_are_in_the_users_language(cast, client_company):
    with translation.override("fr"):
        problems = errors_of(
            services.create_campaign, cast["manager"], {"client_id": client_company.pk}
        )
    assert problems["title"] == ["Une campagne doit avoir un titre."]


def test_lines_are_limited(cast):
    problems = errors_of(campaign, cast["manager"], talking_points=["x" * 400])
    assert list(problems) == ["talking_points"]
    problems = errors_of(campaign, cast["manager"], key_messages=[f"m{i}" for i in range(40)])
    assert list(problems) == ["key_messages"]
    problems = errors_of(campaign, cast["manager"], key_messages=[1, 2])
    assert list(problems) == ["key_messages"]


def test_the_manager_must_be_able_to_run_campaigns(cast):
    problems = errors_of(campaign, cast["manager"], manager="intern")
    assert "cannot run a campaign" in problems["manager"][0]
    assert campaign(cast["manager"], manager="officer").manager == cast["officer"]


# --- Sanitising the body ------------------------------------------------------------


def test_the_body_is_sanitised_on_every_write(cast):
    dirty = (
        '<h2 onclick="steal()">Titre</h2><script>alert("x")</script>'
        '<p style="color:red">Texte <a href="javascript:alert(1)">piège</a> et '
        '<a href="https://eolia.example/dossier" target="_blank">dossier</a></p>'
        '<img src="https://tracker.example/p.gif"><iframe src="https://evil.example"></iframe>'
        "<blockquote>Citation</blockquote><ul><li><strong>Un</strong></li></ul>"
    )
    c = campaign(cast["manager"], body=dirty)
    assert "<script" not in c.body and "alert" not in c.body
    assert "onclick" not in c.body and "style=" not in c.body
    assert "javascript:" not in c.body
    assert "<img" not in c.body and "<iframe" not in c.body
    assert '<a href="https://eolia.example/dossier" rel="noopener noreferrer">dossier</a>' in c.body
    assert "<h2>Titre</h2>" in c.body and "<blockquote>Citation</blockquote>" in c.body
    services.update_campaign(cast["manager"], c, {"body": "<p onmouseover=x()>Mis à jour</p>"})
    c.refresh_from_db()
    assert c.body == "<p>Mis à jour</p>"


def test_plain_text_keeps_its_paragraphs():
    assert (
        services.sanitise_body("Un\nDeux\n\nTrois & co") == "<p>Un<br>Deux</p><p>Trois &amp; co</p>"
    )
    assert services.sanitise_body("   ") == ""


# --- Who may write --------------------------------------------------------------------


def test_roles_that_may_create(cast, client_company):
    for who in ("director", "manager", "officer"):
        assert campaign(cast[who], title=f"Par {who}").created_by == cast[who]
    for who in ("intern", "cm", "viewer", "outsider"):
        with pytest.raises(PermissionDenied):
            campaign(cast[who])


def test_press_officers_edit_only_the_campaigns_they_are_on(cast):
    theirs = campaign(cast["manager"], team=["officer"])
    other = campaign(cast["manager"], title="Autre")
    services.update_campaign(cast["officer"], theirs, {"title": "Nouveau titre"})
    with pytest.raises(PermissionDenied):
        services.update_campaign(cast["officer"], other, {"title": "Non"})
    own = campaign(cast["officer"], manager="manager")  # the author stays on it
    services.update_campaign(cast["officer"], own, {"summary": "Ok"})
    services.update_campaign(cast["director"], other, {"title": "Le directeur peut"})
    for who in ("intern", "cm", "viewer"):
        with pytest.raises(PermissionDenied):
            services.update_campaign(cast[who], theirs, {"title": "Non"})


def test_only_directors_and_managers_delete(cast):
    c = campaign(cast["officer"])
    for who in ("officer", "intern", "cm", "viewer"):
        with pytest.raises(PermissionDenied):
            services.delete_campaign(cast[who], c)
    services.delete_campaign(cast["manager"], c)
    assert not Campaign.objects.filter(pk=c.pk).exists()
    assert AuditEntry.objects.filter(action="delete", target_type="campaign").exists()


def test_a_client_viewer_sees_only_their_clients_campaigns(cast, client_company):
    other_client = Client.objects.create(name="Autre Client")
    mine = campaign(cast["manager"])
    theirs = campaign(cast["manager"], client_id=other_client.pk)
    assert list(services.visible_campaigns(cast["viewer"])) == [mine]
    assert set(services.visible_campaigns(cast["intern"])) == {mine, theirs}
    with pytest.raises(PermissionDenied):
        services.visible_campaigns(cast["outsider"])


def test_search_and_filters(cast, client_company):
    other_client = Client.objects.create(name="Autre Client")
    a = campaign(cast["manager"], title="Parc ÉOLIEN de Fécamp", team=["officer"])
    b = campaign(
        cast["manager"],
        title="Salon",
        kind="event",
        event_at="2026-05-01T10:00",
        event_place="Lyon",
        client_id=other_client.pk,
    )
    qs = Campaign.objects.all()
    assert list(services.filter_campaigns(qs, search="eolien fecamp")) == [a]
    assert list(services.filter_campaigns(qs, search="lyon")) == [b]
    assert list(services.filter_campaigns(qs, kinds=["event"])) == [b]
    assert list(services.filter_campaigns(qs, client_id=client_company.pk)) == [a]
    assert list(services.filter_campaigns(qs, mine=cast["officer"])) == [a]
    assert set(services.filter_campaigns(qs, statuses=["draft", "bogus"])) == {a, b}


# --- The media kit ------------------------------------------------------------------------


def test_a_pdf_and_an_image_are_stored_under_the_data_directory(cast, settings, tmp_path):
    c = campaign(cast["manager"], team=["officer"])
    pdf = services.add_attachment(
        cast["officer"], c, SimpleUploadedFile("Dossier de presse.pdf", PDF), "Dossier"
    )
    png = services.add_attachment(cast["officer"], c, io.BytesIO(PNG), name="photo.PNG")
    assert (pdf.content_type, pdf.title, pdf.filename, pdf.size) == (
        "application/pdf",
        "Dossier",
        "Dossier de presse.pdf",
        len(PDF),
    )
    assert png.content_type == "image/png" and png.title == "photo"
    path = tmp_path / "uploads" / pdf.file.name
    assert path.read_bytes() == PDF and pdf.file.name.endswith(".pdf")
    assert AuditEntry.objects.filter(action="attachment_added").count() == 2
    services.delete_attachment(cast["officer"], pdf)
    assert not CampaignAttachment.objects.filter(pk=pdf.pk).exists()


def test_a_file_is_checked_by_its_content_not_its_name(cast):
    c = campaign(cast["manager"])
    problems = errors_of(
        services.add_attachment, cast["manager"], c, SimpleUploadedFile("kit.pdf", HTML_AS_PDF)
    )
    assert "Only PDF files and images" in problems["file"][0]
    problems = errors_of(
        services.add_attachment, cast["manager"], c, SimpleUploadedFile("kit.pdf", b"")
    )
    assert problems["file"] == ["The file is empty."]
    # A PNG named .pdf is accepted as what it is, and stored as .png.
    png = services.add_attachment(cast["manager"], c, SimpleUploadedFile("kit.pdf", PNG))
    assert png.content_type == "image/png" and png.file.name.endswith(".png")
    assert c.attachments.count() == 1


def test_the_size_limit_comes_from_the_settings(cast, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    c = campaign(cast["manager"])
    problems = errors_of(
        services.add_attachment,
        cast["manager"],
        c,
        SimpleUploadedFile("big.pdf", PDF + b" " * 2000),
    )
    assert problems["file"] == ["The file is too large: at most 1 KB."]


def test_only_those_who_edit_the_campaign_change_its_kit(cast):
    c = campaign(cast["manager"])
    for who in ("officer", "intern", "viewer"):
        with pytest.raises(PermissionDenied):
            services.add_attachment(cast[who], c, SimpleUploadedFile("a.pdf", PDF))


def test_deleting_a_campaign_removes_its_files(cast, tmp_path, django_capture_on_commit_callbacks):
    c = campaign(cast["manager"])
    pdf = services.add_attachment(cast["manager"], c, SimpleUploadedFile("a.pdf", PDF))
    path = tmp_path / "uploads" / pdf.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_campaign(cast["director"], c)
    assert not path.exists()

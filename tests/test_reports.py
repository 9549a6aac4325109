"""The campaign report: its figures and their definitions, HTML and PDF
(the PDF's first page drawn, not blank), `relance report`, and the client
portal's isolation (a client viewer sees their own campaigns' reports and
coverage only, nothing of the media database)."""

# The fixtures imported are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

from datetime import timedelta

import pypdfium2
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from relance.accounts.models import Client
from relance.campaigns.models import Recipient
from relance.coverage import items
from relance.reports import metrics, report

from .factories import campaign, contact
from .test_coverage_items import SENT, paper, sent  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def covered(cast, sent, paper):
    """A sent release: three journalists received it, two covered it."""
    manager = cast["manager"]
    people = [
        contact(manager, name, first_name=first, outlet_id=paper.pk)
        for first, name in [("Yannick", "Le Gall"), ("Anne", "Riou"), ("Paul", "Kervella")]
    ]
    for person in people:
        Recipient.objects.create(
            campaign=sent, contact=person, added_by=manager, state="sent", sent_at=SENT
        )
    Recipient.objects.filter(contact=people[2]).update(replied_at=SENT + timedelta(hours=3))
    message = sent.key_messages[0]
    for n, (person, tone, days) in enumerate(
        [(people[0], "positive", 1), (people[1], "neutral", 3)]
    ):
        items.add(
            manager,
            {
                "campaign_id": sent.pk,
                "outlet_id": paper.pk,
                "title": f"Le parc éolien, article {n + 1}",
                "url": f"https://ouest.example/eolien-{n}",
                "author": person.full_name,
                "published_at": (SENT + timedelta(days=days)).isoformat(),
                "tone": tone,
                "key_messages": [message] if n == 0 else [],
                "summary": "Le parc vu par les habitants.",
            },
        )
    return sent


def test_the_figures_say_what_was_done_and_what_came_of_it(covered):
    m = metrics.for_campaign(covered)
    r, e = m.results, m.effort
    assert (r.count, r.reach, r.outlets, r.journalists) == (2, 240_000, 1, 2)
    assert r.target_share == pytest.approx(2 / 3)
    assert r.days_to_coverage == pytest.approx(2.0)
    assert r.tone == {"positive": 1, "neutral": 1, "negative": 0}
    assert r.messages == [("Une énergie produite ici, pour ceux qui vivent ici", 1)]
    assert (e.recipients, e.sent, e.replied) == (3, 3, 1)
    by_key = {f.key: f for f in m.figures}
    assert by_key["reach"].value == 240_000
    assert "not how many did" in by_key["reach"].definition  # potential, said so
    assert by_key["target_share"].value == pytest.approx(66.7)


def test_the_report_in_html_tells_the_story_with_charts(covered):
    html = report.campaign_html(covered)
    assert html.startswith("<!doctype html>") and 'lang="fr"' in html  # the client's language
    assert covered.title in html and "Le parc éolien, article 1" in html
    assert 'href="https://ouest.example/eolien-0"' in html
    assert html.count("<svg") == 4  # over time, by kind, tone, reach
    assert "Yannick Le Gall" in html  # who covered it
    assert "Paul Kervella" in html  # answered, no coverage yet: a next step
    learned = report.learnings(covered, metrics.for_campaign(covered))
    assert [who for who, _ in learned.responded] == ["Paul Kervella"]


def test_the_pdf_first_page_is_drawn(covered, tmp_path):
    pdf = report.campaign_pdf(covered)
    assert pdf.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(pdf)
    assert len(document) >= 2
    image = document[0].render(scale=0.5).to_pil().convert("L")
    dark = sum(1 for value in image.get_flattened_data() if value < 200)
    assert dark > 0.01 * image.width * image.height  # text and the cover's band


def test_the_command_writes_html_and_pdf(covered, tmp_path):
    for fmt in ("html", "pdf"):
        target = tmp_path / f"report.{fmt}"
        call_command("report", str(covered.pk), "--format", fmt, "--output", str(target))
        assert target.stat().st_size > 1000
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError, match="no such campaign"):
        call_command("report", "999999", "--output", str(tmp_path / "x.html"))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("report", str(covered.pk), "--output", str(tmp_path / "no" / "x.html"))


def test_a_campaign_without_coverage_says_so(cast, sent):
    html = report.campaign_html(sent)
    # In the client's language (French here).
    assert "la veille se poursuit pendant 90 jours après l’envoi" in html


def test_the_client_portal_shows_a_client_only_what_is_theirs(login, covered, cast):
    viewer = login("viewer")  # a viewer of the campaign's client
    page = viewer.get(reverse("reports:campaign", args=[covered.pk]))
    assert page.status_code == 200 and "Le parc éolien, article 1" in page.content.decode()
    pdf = viewer.get(reverse("reports:campaign_pdf", args=[covered.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert viewer.get(reverse("coverage:campaign", args=[covered.pk])).status_code == 200
    # Never the media database, the review queue or the call desk.
    for name in (
        "contacts:contact_list",
        "contacts:outlet_list",
        "coverage:review",
        "coverage:add",
    ):
        assert viewer.get(reverse(name)).status_code in (403, 404), name
    # Another client's campaign is not found.
    other = Client.objects.create(name="Borealie")
    theirs = campaign(cast["manager"], "Autre lancement", client_id=other.pk)
    for name in ("reports:campaign", "reports:campaign_pdf", "coverage:campaign"):
        assert viewer.get(reverse(name, args=[theirs.pk])).status_code == 404, name


def test_a_client_period_report_across_campaigns_with_share_of_voice(
    cast, login, covered, client_company, paper, tmp_path
):
    from relance.accounts import services as accounts
    from relance.coverage import services as monitoring

    from .test_coverage_ingest import item, rss

    accounts.update_client(cast["director"], client_company, {"competitors": ["Ventis"]})
    monitoring.ingest_feed_file(
        paper,
        rss(
            item(
                "https://ouest.example/a",
                "Ventis et Éolia Énergies",
                content="Ventis, Éolia Énergies.",
            ),
            item(
                "https://ouest.example/b",
                "Ventis recrute",
                content="Ventis recrute cent techniciens.",
            ),
        ),
        read_pages=False,
    )
    start, end = SENT.date() - timedelta(days=30), SENT.date() + timedelta(days=60)
    voice = metrics.share_of_voice(client_company.pk, start - timedelta(days=400), end)
    assert voice == [(client_company.name, 1), ("Ventis", 2)]
    html = report.client_html(client_company, start, end)
    assert covered.title in html and "Le parc éolien, article 2" in html
    viewer = login("viewer")
    url = reverse("reports:client", args=[client_company.pk])
    page = viewer.get(url, {"from": start.isoformat(), "to": end.isoformat()})
    assert page.status_code == 200 and covered.title in page.content.decode()
    pdf = viewer.get(url, {"from": "n'importe", "format": "pdf"})  # a bad date: the default period
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    other = Client.objects.create(name="Borealie")
    assert viewer.get(reverse("reports:client", args=[other.pk])).status_code == 404
    target = tmp_path / "period.html"
    call_command(
        "report",
        "--client",
        str(client_company.pk),
        "--from",
        start.isoformat(),
        "--to",
        end.isoformat(),
        "--output",
        str(target),
    )
    assert covered.title in target.read_text()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command(
            "report",
            "--client",
            str(client_company.pk),
            "--from",
            "mars",
            "--to",
            "x",
            "--output",
            str(target),
        )


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_the_agency_logo_is_on_the_cover(cast, login, covered):
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from relance.accounts import services as accounts
    from relance.accounts.models import Agency

    fake = SimpleUploadedFile("logo.png", b"<html><script>x</script></html>", "image/png")
    with pytest.raises(ValidationError) as err:
        accounts.update_agency(cast["director"], {"logo": fake})
    assert "logo" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        accounts.update_agency(cast["manager"], {"logo": SimpleUploadedFile("l.png", PNG)})
    answer = login("director").post(
        reverse("agency_settings"),
        {
            "name": "Agence Bleu Marine",
            "primary_color": "#1d4ed8",
            "default_language": "fr",
            "logo": SimpleUploadedFile("logo.png", PNG, "image/png"),
        },
    )
    assert answer.status_code == 302
    assert Agency.current().logo_type == "image/png"
    html = report.campaign_html(covered)
    assert 'class="logo"' in html and "data:image/png;base64," in html
    assert report.campaign_pdf(covered).startswith(b"%PDF")  # WeasyPrint takes the image
    accounts.update_agency(cast["director"], {"remove_logo": True})
    assert "data:image/png" not in report.campaign_html(covered)


def test_the_news_context_says_what_else_the_outlets_ran_that_day(covered, paper):
    from relance.coverage.models import Article

    day = SENT + timedelta(days=1)  # the day of the first piece
    for n, (title, when) in enumerate(
        [("Le budget des écoles voté", day), ("La piscine ferme", day + timedelta(days=5))]
    ):
        Article.objects.create(
            outlet=paper,
            url=f"https://ouest.example/autre-{n}",
            canonical_url=f"https://ouest.example/autre-{n}",
            title=title,
            published_at=when,
            fetched_at=when,
        )
    learned = report.learnings(covered, metrics.for_campaign(covered))
    assert learned.context == [(paper.name, day.date(), ["Le budget des écoles voté"])]
    assert "Le budget des écoles voté" in report.campaign_html(covered)


def test_advertising_value_equivalence_only_when_the_agency_switches_it_on(cast, login, covered):
    from django.core.exceptions import PermissionDenied, ValidationError

    from relance.coverage import items as coverage

    assert "ave" not in {f.key for f in metrics.for_campaign(covered).figures}
    # Said so at the foot of the report, in the client's language (French).
    assert "L’équivalent publicitaire n’est pas indiqué" in report.campaign_html(covered)
    with pytest.raises(PermissionDenied):
        coverage.save_settings(cast["manager"], {"ave_enabled": "on", "rate_print": "10"})
    with pytest.raises(ValidationError) as err:
        coverage.save_settings(cast["director"], {"ave_enabled": "on", "rate_print": "dix"})
    assert set(err.value.message_dict) == {"rate_print", "ave_enabled"}
    page = login("director").post(
        reverse("coverage:settings"), {"ave_enabled": "on", "rate_print": "12,5"}
    )
    assert page.status_code == 302
    by_key = {f.key: f for f in metrics.for_campaign(covered).figures}
    # Two print pieces at 120,000 readers each, 12.50 € per thousand.
    assert by_key["ave"].value == 3000
    assert "contested" in str(by_key["ave"].label)
    assert login("manager").get(reverse("coverage:settings")).status_code == 403
    bad = login("director").post(reverse("coverage:settings"), {"rate_tv": "-3"})
    assert bad.status_code == 200 and "Between 0 and 100" in bad.content.decode()

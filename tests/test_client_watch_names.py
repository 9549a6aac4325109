"""The names coverage monitoring looks for: a client's brands and
competitors, a campaign's products and spokespeople — validated field by
field, edited on the pages and through the API, and used by matching."""

# The fixtures imported are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from relance.accounts import services
from relance.accounts.models import Client
from relance.audit.models import AuditEntry
from relance.coverage.items import watch_for
from relance.coverage.models import CoverageItem

from .api_fixtures import api, tokens  # noqa: F401
from .factories import campaign
from .test_coverage_ingest import item
from .test_coverage_items import ingest, paper, sent  # noqa: F401

pytestmark = pytest.mark.django_db


def test_names_are_cleaned_deduplicated_and_checked(cast, client_company):
    d = cast["director"]
    services.update_client(
        d,
        client_company,
        {"brands": "Éolia Mer\n  eolia mer \n\nVentelle", "competitors": ["Ventis"]},
    )
    client_company.refresh_from_db()
    assert client_company.brands == ["Éolia Mer", "Ventelle"]
    assert client_company.competitors == ["Ventis"]
    assert AuditEntry.objects.filter(action="update", target_id=client_company.pk).exists()
    for bad, field in [
        ({"brands": "x" * 101}, "brands"),
        ({"brands": [1, 2]}, "brands"),
        ({"competitors": "\n".join(f"C{i}" for i in range(51))}, "competitors"),
        ({"competitors": ["VENTELLE"]}, "competitors"),  # one of its own brands
    ]:
        with pytest.raises(ValidationError) as err:
            services.update_client(d, client_company, bad)
        assert field in err.value.message_dict, bad
    client_company.refresh_from_db()
    assert client_company.brands == ["Éolia Mer", "Ventelle"]  # nothing half-written


def test_the_client_form_edits_them_and_the_page_shows_them(login, client_company):
    http = login("manager")
    url = reverse("client_edit", args=[client_company.pk])
    assert "Brands and products to watch" in http.get(url).content.decode()
    answer = http.post(
        url,
        {
            "name": client_company.name,
            "language": "fr",
            "brands": "Éolia Mer",
            "competitors": "Ventis",
        },
    )
    assert answer.status_code == 302
    page = http.get(reverse("client_detail", args=[client_company.pk])).content.decode()
    assert "Éolia Mer" in page and "Ventis" in page


def test_the_api_reads_and_writes_them(api, client_company):
    director = api("director")
    done = director.patch(
        f"/clients/{client_company.pk}", {"brands": ["Éolia Mer"], "competitors": ["Ventis"]}
    )
    assert done.status_code == 200, done.content
    assert (done.json()["brands"], done.json()["competitors"]) == (["Éolia Mer"], ["Ventis"])
    bad = director.patch(f"/clients/{client_company.pk}", {"competitors": ["Éolia Mer"]})
    assert bad.status_code == 400 and "competitors" in bad.json()["errors"]


def test_a_campaign_s_products_are_saved_and_shown(cast, login, client_company):
    brief = campaign(cast["manager"], "Turbine Mistral", products="Turbine Mistral\nHélène Côté")
    assert brief.products == ["Turbine Mistral", "Hélène Côté"]
    page = login("manager").get(reverse("campaigns:campaign_detail", args=[brief.pk]))
    assert "Hélène Côté" in page.content.decode()
    form = login("manager").get(reverse("campaigns:campaign_edit", args=[brief.pk]))
    assert "Turbine Mistral\nHélène Côté" in form.content.decode()


def test_matching_uses_brands_and_products_and_hears_competitors(cast, sent, paper, client_company):
    services.update_client(
        cast["director"], client_company, {"brands": ["Ventelle"], "competitors": ["Ventis"]}
    )
    sent.products = ["Turbine Mistral"]
    sent.save(update_fields=["products"])
    sent.refresh_from_db()
    assert set(watch_for(sent).names) == {
        ("client", client_company.name),
        ("brand", "Ventelle"),
        ("product", "Turbine Mistral"),
        ("competitor", "Ventis"),
    }
    ingest(
        paper,
        item(
            "https://ouest.example/ventelle",
            "La Turbine Mistral de Ventelle face à Ventis",
            content="Ventelle dévoile la Turbine Mistral, une éolienne citoyenne pour "
            "Saint-Brieuc : quarante éoliennes financées par les habitants, vingt mille foyers "
            "alimentés.",
            date="Tue, 10 Mar 2026 07:00:00 +0100",
        ),
        item(
            "https://ouest.example/ventis",
            "Ventis ouvre un parc éolien",
            content="Ventis inaugure quarante éoliennes financées par les habitants.",
            date="Tue, 10 Mar 2026 08:00:00 +0100",
        ),
    )
    [found] = CoverageItem.objects.all()  # the competitor's own news is not coverage
    assert {"Ventelle", "Turbine Mistral"} <= set(found.evidence["names"])


# --- Brands and competitors: the service -------------------------------------


def names_errors(actor, client, data) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        services.update_client(actor, client, data)
    return caught.value.message_dict


def test_a_list_and_lines_give_the_same_names(cast, client_company):
    d = cast["director"]
    services.update_client(d, client_company, {"brands": ["  Turbine   Mistral ", "", "Ventelle"]})
    as_list = Client.objects.get(pk=client_company.pk).brands
    services.update_client(d, client_company, {"brands": "\r\n Turbine Mistral\r\n\r\nVentelle \n"})
    assert (
        Client.objects.get(pk=client_company.pk).brands
        == as_list
        == [
            "Turbine Mistral",
            "Ventelle",
        ]
    )


def test_the_first_spelling_of_a_name_is_kept(cast, client_company):
    # Monitoring folds accents and case anyway; the first spelling is the
    # one the reports print.
    client = services.create_client(
        cast["manager"],
        {
            "name": "Brasserie du Nord",
            "brands": ["Bière Blanche", "BIERE BLANCHE", "bière blanche"],
        },
    )
    assert client.brands == ["Bière Blanche"]
    assert client.competitors == []


def test_limits_are_inclusive(cast, client_company):
    d = cast["director"]
    longest, many = "x" * 100, [f"Marque {i}" for i in range(50)]
    services.update_client(d, client_company, {"brands": [longest], "competitors": many})
    client_company.refresh_from_db()
    assert client_company.brands == [longest] and len(client_company.competitors) == 50
    assert list(names_errors(d, client_company, {"brands": [longest + "y"]})) == ["brands"]
    assert list(names_errors(d, client_company, {"competitors": [*many, "Une de plus"]})) == [
        "competitors"
    ]
    # Fifty-one lines of which two are the same name are fifty names.
    services.update_client(d, client_company, {"competitors": [*many, "MARQUE 0"]})


@pytest.mark.parametrize("bad", [5, {"Ventis": 1}, [None], ["Ventis", 3], True])
def test_anything_but_names_is_refused(cast, client_company, bad):
    problems = names_errors(cast["director"], client_company, {"brands": bad})
    assert problems == {"brands": ["Expected a list of names, one per line."]}


def test_every_problem_is_named_at_once(cast, client_company):
    problems = names_errors(
        cast["director"],
        client_company,
        {"brands": ["x" * 101], "competitors": 7, "colour": "#fff"},
    )
    assert set(problems) == {"brands", "competitors", "colour"}


def test_a_brand_cannot_also_be_a_competitor(cast, client_company):
    d = cast["director"]
    problems = names_errors(
        d, client_company, {"brands": ["Ventelle"], "competitors": ["VENTÈLLE"]}
    )
    assert problems == {"competitors": ["“VENTÈLLE” is one of the client's brands."]}
    # Against what is stored, whichever side changes.
    services.update_client(d, client_company, {"brands": ["Ventelle"], "competitors": ["Ventis"]})
    assert "competitors" in names_errors(d, client_company, {"brands": ["Ventelle", "ventis"]})
    assert "competitors" in names_errors(d, client_company, {"competitors": ["Ventelle"]})
    # Other fields are not held up by names set before this check existed.
    Client.objects.filter(pk=client_company.pk).update(competitors=["Ventelle", "Ventis"])
    client_company.refresh_from_db()
    services.update_client(d, client_company, {"description": "Énergies renouvelables"})


def test_messages_are_in_the_users_language(cast, client_company):
    # The French catalogue is the lead's: whatever it says for this message
    # is what a French user reads.
    with translation.override("fr"):
        problems = names_errors(cast["director"], client_company, {"competitors": 3})
        expected = translation.gettext("Expected a list of names, one per line.")
    assert problems == {"competitors": [expected]}


def test_only_those_who_edit_clients_change_the_names(cast, client_company):
    for who in ("officer", "intern", "cm", "viewer"):
        with pytest.raises(PermissionDenied):
            services.update_client(cast[who], client_company, {"brands": ["Ventelle"]})
    client_company.refresh_from_db()
    assert client_company.brands == []


def test_the_audit_trail_records_old_and_new_names(cast, client_company):
    d = cast["manager"]
    services.update_client(d, client_company, {"brands": "Ventelle", "competitors": "Ventis"})
    services.update_client(d, client_company, {"brands": "Ventelle\nTurbine Mistral"})
    first, second = AuditEntry.objects.filter(
        action="update", target_type="client", target_id=client_company.pk
    ).order_by("pk")
    assert first.actor == d
    assert first.changes == {"brands": [[], ["Ventelle"]], "competitors": [[], ["Ventis"]]}
    assert second.changes == {"brands": [["Ventelle"], ["Ventelle", "Turbine Mistral"]]}
    # Saving the same names again is no change.
    services.update_client(
        d, client_company, {"competitors": ["Ventis"], "brands": "Ventelle\nTurbine Mistral"}
    )
    assert AuditEntry.objects.filter(action="update", target_type="client").count() == 2


# --- Brands and competitors: the pages ------------------------------------------

FORM = {"name": "Éolia Énergies", "language": "fr", "website": "", "description": ""}


def test_the_form_shows_the_names_one_per_line_and_saves_them(cast, login, client_company):
    services.update_client(
        cast["director"], client_company, {"brands": ["Ventelle", "Turbine Mistral"]}
    )
    http = login("director")
    url = reverse("client_edit", args=[client_company.pk])
    page = http.get(url)
    form = page.context["form"]
    assert form["brands"].value() == "Ventelle\nTurbine Mistral"
    html = page.content.decode()
    assert "Competitors (share of voice)" in html and "One per line" in html
    answer = http.post(url, {**FORM, "brands": "Ventelle\r\nÉolia Mer", "competitors": "Ventis"})
    assert answer.status_code == 302
    client_company.refresh_from_db()
    assert (client_company.brands, client_company.competitors) == (
        ["Ventelle", "Éolia Mer"],
        ["Ventis"],
    )
    entry = AuditEntry.objects.filter(action="update", target_type="client").latest("pk")
    assert entry.actor == cast["director"]
    assert entry.changes["competitors"] == [[], ["Ventis"]]


def test_a_new_client_gets_its_names_from_the_form(login):
    answer = login("manager").post(
        reverse("client_create"),
        {**FORM, "name": "Brasserie du Nord", "brands": "Bière Blanche", "competitors": ""},
    )
    assert answer.status_code == 302
    client = Client.objects.get(name="Brasserie du Nord")
    assert (client.brands, client.competitors) == (["Bière Blanche"], [])


def test_a_name_problem_is_shown_next_to_its_textarea(login, client_company):
    url = reverse("client_edit", args=[client_company.pk])
    answer = login("manager").post(url, {**FORM, "brands": "Ventelle", "competitors": "ventelle"})
    assert answer.status_code == 200
    assert answer.context["form"].errors == {
        "competitors": ["“ventelle” is one of the client's brands."]
    }
    assert 'id="id_competitors_error"' in answer.content.decode()
    client_company.refresh_from_db()
    assert client_company.brands == []


def test_the_client_s_page_shows_the_names_to_its_viewer(cast, login, client_company):
    services.update_client(
        cast["director"], client_company, {"brands": ["Ventelle"], "competitors": ["Ventis"]}
    )
    page = login("viewer").get(reverse("client_detail", args=[client_company.pk]))
    html = page.content.decode()
    assert "Ventelle" in html and "Ventis" in html


@pytest.mark.parametrize("who", ["viewer", "officer"])
def test_a_client_viewer_cannot_edit_the_names(login, client_company, who):
    http = login(who)
    url = reverse("client_edit", args=[client_company.pk])
    assert http.get(url).status_code == 403
    assert http.post(url, {**FORM, "brands": "Ventelle"}).status_code == 403
    client_company.refresh_from_db()
    assert client_company.brands == []
    assert not AuditEntry.objects.filter(target_type="client").exists()


# --- Brands and competitors: the API --------------------------------------------


def test_the_api_creates_reads_and_patches_the_names(api, cast):
    made = api("manager").post(
        "/clients",
        {"name": "Brasserie du Nord", "brands": ["Bière Blanche", "bière blanche", " Nordique "]},
    )
    assert made.status_code == 201, made.content
    assert made.json()["brands"] == ["Bière Blanche", "Nordique"]
    assert made.json()["competitors"] == []
    path = f"/clients/{made.json()['id']}"
    patched = api("manager").patch(path, {"competitors": ["Brasseurs du Sud"]})
    assert patched.status_code == 200
    assert patched.json()["brands"] == ["Bière Blanche", "Nordique"]  # PATCH keeps the rest
    read = api("intern").get(path).json()
    assert (read["brands"], read["competitors"]) == (
        ["Bière Blanche", "Nordique"],
        ["Brasseurs du Sud"],
    )
    entry = AuditEntry.objects.filter(action="update", target_type="client").get()
    assert entry.actor == cast["manager"]
    assert entry.changes == {"competitors": [[], ["Brasseurs du Sud"]]}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"brands": "Ventelle"}, {"brands"}),  # the API takes lists
        ({"brands": [3]}, {"brands.0"}),
        ({"brands": None}, {"brands"}),  # PATCH: null is not "none"; send []
        ({"competitors": ["Ven\x00tis"]}, {"competitors"}),
        ({"competitors": ["x" * 101]}, {"competitors"}),
        ({"competitors": [f"C{i}" for i in range(51)]}, {"competitors"}),
        ({"brands": ["Ventis"], "competitors": ["VENTIS"]}, {"competitors"}),
        ({"brands": ["x" * 101], "competitors": ["y" * 101]}, {"brands", "competitors"}),
    ],
)
def test_bad_names_are_400_with_field_errors(api, client_company, body, fields):
    answer = api().patch(f"/clients/{client_company.pk}", body)
    assert answer.status_code == 400, answer.content
    assert set(answer.json()["errors"]) == fields, answer.json()
    client_company.refresh_from_db()
    assert (client_company.brands, client_company.competitors) == ([], [])


def test_a_client_viewer_cannot_patch_the_names(api, client_company):
    answer = api("viewer").patch(f"/clients/{client_company.pk}", {"brands": ["Ventelle"]})
    assert answer.status_code == 403
    assert api("viewer").get(f"/clients/{client_company.pk}").json()["brands"] == []

"""A campaign's products and spokespeople: the names its coverage should
carry (monitoring looks for them with the client's). Kept like the key
messages — short lines, from a list or one per line — on the form, the
brief, the API and the audit trail."""

# The fixtures imported from api_fixtures are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from relance.audit.models import AuditEntry
from relance.campaigns import services
from relance.campaigns.models import Campaign

from .api_fixtures import api, tokens  # noqa: F401
from .factories import campaign

pytestmark = pytest.mark.django_db


def errors_of(call, *args, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.message_dict


# --- The service ----------------------------------------------------------------


def test_products_come_from_lines_or_a_list(cast):
    typed = campaign(cast["manager"], products="- Turbine Mistral\n\n  Hélène   Côté \n")
    listed = campaign(cast["manager"], products=["• Turbine Mistral", "", "Hélène Côté"])
    assert typed.products == listed.products == ["Turbine Mistral", "Hélène Côté"]
    assert campaign(cast["manager"]).products == []


def test_products_are_limited_like_key_messages(cast):
    longest = "x" * services.MAX_LINE_CHARS
    assert campaign(cast["manager"], products=[longest]).products == [longest]
    for bad in (
        [longest + "y"],
        [f"Produit {i}" for i in range(services.MAX_LINES + 1)],
        [1, 2],
        {"Turbine": 1},
        7,
    ):
        assert list(errors_of(campaign, cast["manager"], products=bad)) == ["products"], bad
    assert Campaign.objects.count() == 1  # only the first: nothing half-saved


def test_every_problem_is_named_at_once(cast):
    problems = errors_of(campaign, cast["manager"], title="", products=[3], key_messages=[4])
    assert set(problems) == {"title", "products", "key_messages"}


def test_messages_are_in_the_users_language(cast):
    with translation.override("fr"):
        problems = errors_of(campaign, cast["manager"], products=[3])
    assert problems == {"products": ["Liste de lignes courtes attendue."]}


def test_changes_are_audited_with_old_and_new_lines(cast):
    brief = campaign(cast["manager"], products=["Turbine Mistral"])
    services.update_campaign(
        cast["manager"], brief, {"products": "Turbine Mistral\nHélène Côté, directrice"}
    )
    entry = AuditEntry.objects.get(action="update", target_type="campaign", target_id=brief.pk)
    assert entry.actor == cast["manager"]
    assert entry.changes == {
        "products": [["Turbine Mistral"], ["Turbine Mistral", "Hélène Côté, directrice"]]
    }
    services.update_campaign(cast["manager"], brief, {"products": brief.products})
    assert AuditEntry.objects.filter(action="update", target_type="campaign").count() == 1


def test_only_those_who_edit_the_campaign_change_its_products(cast):
    brief = campaign(cast["manager"], products=["Turbine Mistral"])
    for who in ("officer", "intern", "viewer"):  # the officer is not on this one
        with pytest.raises(PermissionDenied):
            services.update_campaign(cast[who], brief, {"products": []})
    brief.refresh_from_db()
    assert brief.products == ["Turbine Mistral"]


# --- The pages ------------------------------------------------------------------


@pytest.fixture
def brief(cast):
    return campaign(
        cast["manager"],
        "Parc éolien de Fécamp",
        key_messages=["Premier parc normand"],
        products=["Turbine Mistral", "Hélène Côté"],
        team=["officer"],
    )


def test_the_brief_shows_the_products_with_the_key_messages(login, brief):
    html = login("intern").get(reverse("campaigns:campaign_detail", args=[brief.pk])).content
    html = html.decode()
    assert "Products and spokespeople" in html
    assert html.index("Premier parc normand") < html.index("Hélène Côté")


def test_a_brief_without_products_says_nothing_of_them(cast, login):
    plain = campaign(cast["manager"])
    html = login("intern").get(reverse("campaigns:campaign_detail", args=[plain.pk])).content
    assert b"Products and spokespeople" not in html


def test_the_form_shows_one_per_line_and_saves(login, brief):
    http = login("officer")  # on the team
    url = reverse("campaigns:campaign_edit", args=[brief.pk])
    page = http.get(url)
    form = page.context["form"]
    assert form["products"].value() == "Turbine Mistral\nHélène Côté"
    assert "spokespeople the coverage should name" in page.content.decode()
    data = dict(form.initial)
    data["products"] = "Turbine Mistral\r\nÉolia Mer\r\n"
    assert http.post(url, data).status_code == 302
    brief.refresh_from_db()
    assert brief.products == ["Turbine Mistral", "Éolia Mer"]
    entry = AuditEntry.objects.get(action="update", target_type="campaign")
    assert entry.actor.username == "officer"
    assert entry.changes["products"] == [
        ["Turbine Mistral", "Hélène Côté"],
        ["Turbine Mistral", "Éolia Mer"],
    ]


def test_a_bad_line_is_shown_next_to_the_textarea(login, brief):
    http = login("manager")
    url = reverse("campaigns:campaign_edit", args=[brief.pk])
    data = dict(http.get(url).context["form"].initial)
    data["products"] = "x" * (services.MAX_LINE_CHARS + 1)
    answer = http.post(url, data)
    assert answer.status_code == 200
    assert list(answer.context["form"].errors) == ["products"]
    brief.refresh_from_db()
    assert brief.products == ["Turbine Mistral", "Hélène Côté"]


def test_a_new_campaign_gets_its_products_from_the_form(login, client_company):
    answer = login("manager").post(
        reverse("campaigns:campaign_create"),
        {
            "client_id": client_company.pk,
            "title": "Turbine Mistral",
            "kind": "release",
            "language": "fr",
            "manager": "manager",
            "products": "Turbine Mistral\nHélène Côté",
        },
    )
    assert answer.status_code == 302, answer.context["form"].errors if answer.context else ""
    assert Campaign.objects.get(title="Turbine Mistral").products == [
        "Turbine Mistral",
        "Hélène Côté",
    ]


def test_a_client_viewer_cannot_edit_the_products(login, brief):
    http = login("viewer")  # the campaign's own client
    url = reverse("campaigns:campaign_edit", args=[brief.pk])
    assert http.get(url).status_code == 403
    assert http.post(url, {"products": "Autre"}).status_code == 403
    brief.refresh_from_db()
    assert brief.products == ["Turbine Mistral", "Hélène Côté"]


# --- The API --------------------------------------------------------------------


def test_the_api_creates_reads_and_patches_products(api, cast, client_company):
    made = api("officer").post(
        "/campaigns",
        {"client_id": client_company.pk, "title": "Turbine", "products": ["Turbine Mistral"]},
    )
    assert made.status_code == 201, made.content
    assert made.json()["products"] == ["Turbine Mistral"]
    path = f"/campaigns/{made.json()['id']}"
    patched = api("officer").patch(path, {"products": ["Turbine Mistral", "- Hélène Côté"]})
    assert patched.status_code == 200, patched.content
    assert patched.json()["products"] == ["Turbine Mistral", "Hélène Côté"]
    assert api("cm").get(path).json()["products"] == ["Turbine Mistral", "Hélène Côté"]
    assert api("officer").patch(path, {"title": "Turbine Mistral"}).json()["products"] == [
        "Turbine Mistral",
        "Hélène Côté",
    ]  # PATCH keeps what it is not sent
    entry = AuditEntry.objects.filter(action="update", target_type="campaign").earliest("pk")
    assert entry.changes == {"products": [["Turbine Mistral"], ["Turbine Mistral", "Hélène Côté"]]}


@pytest.mark.parametrize(
    ("products", "field"),
    [
        ("Turbine Mistral", "products"),  # the API takes lists
        ([3], "products.0"),
        (None, "products"),
        (["x" * (services.MAX_LINE_CHARS + 1)], "products"),
        ([f"P{i}" for i in range(services.MAX_LINES + 1)], "products"),
    ],
)
def test_bad_products_are_400_with_field_errors(api, cast, products, field):
    brief = campaign(cast["manager"], products=["Turbine Mistral"])
    answer = api("manager").patch(f"/campaigns/{brief.pk}", {"products": products})
    assert answer.status_code == 400, answer.content
    assert set(answer.json()["errors"]) == {field}, answer.json()
    brief.refresh_from_db()
    assert brief.products == ["Turbine Mistral"]


def test_a_client_viewer_reads_but_cannot_patch_products(api, cast):
    brief = campaign(cast["manager"], products=["Turbine Mistral"])
    assert api("viewer").get(f"/campaigns/{brief.pk}").json()["products"] == ["Turbine Mistral"]
    answer = api("viewer").patch(f"/campaigns/{brief.pk}", {"products": []})
    assert answer.status_code == 403
    brief.refresh_from_db()
    assert brief.products == ["Turbine Mistral"]


def test_a_campaign_is_found_by_its_products(cast, login):
    from django.urls import reverse

    from .factories import campaign as make_campaign

    make_campaign(cast["manager"], "Lancement d'automne", products=["Turbine Mistral"])
    make_campaign(cast["manager"], "Résultats annuels")
    page = login("manager").get(reverse("campaigns:campaign_list"), {"q": "mistral"})
    body = page.content.decode()
    assert "Lancement d&#x27;automne" in body  # Django escapes the apostrophe
    assert "Résultats annuels" not in body

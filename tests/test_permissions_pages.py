"""Every page of the workspace against every role, in one table.

The table must name every URL of the site (the test fails when a page is
added without saying who may open it), so permissions are decided, not
inherited by accident. Services enforce the same rules again (see
test_contacts_services and the API's own table); this checks what a person
clicking around actually gets.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from relance.accounts.models import Client
from relance.campaigns.models import Recipient
from relance.campaigns.services import add_attachment
from relance.contacts.models import ImportJob
from relance.contacts.services.lists import create_list
from relance.contacts.services.outlets import create_show
from relance.coverage.models import CoverageItem
from relance.followups.models import FollowUp

from .factories import campaign, contact, outlet

pytestmark = pytest.mark.django_db

ROLES = ("director", "manager", "officer", "intern", "cm", "viewer", "anonymous")

# GET status per role: director manager officer intern cm viewer anonymous.
# 302 for anonymous means "sent to the login page"; 405 marks POST-only actions
# (refused on the method before anything else, whoever asks). An import belongs
# to whoever started it (the manager here) and to the director: 404 for others
# who may import. The campaign is the viewer's client's, with the press officer
# on its team (see the tests below for another client's and for a press
# officer who is not on it).
TABLE = """
home                          200 200 200 200 200 200 302
login                         302 302 302 302 302 302 200
logout                        405 405 405 405 405 405 405
password_reset                200 200 200 200 200 200 200
password_reset_done           200 200 200 200 200 200 200
password_reset_complete       200 200 200 200 200 200 200
profile                       200 200 200 200 200 200 302
password_change               200 200 200 200 200 200 302
set_language                  405 405 405 405 405 405 405
audit_log                     200 200 403 403 403 403 302
team                          200 200 200 200 200 403 302
team_create                   200 403 403 403 403 403 302
team_edit                     200 403 403 403 403 403 302
team_deactivate               405 405 405 405 405 405 302
team_reactivate               405 405 405 405 405 405 302
team_invite                   405 405 405 405 405 405 302
client_list                   200 200 200 200 200 200 302
client_create                 200 200 403 403 403 403 302
client_detail                 200 200 200 200 200 200 302
client_edit                   200 200 403 403 403 403 302
client_delete                 200 200 403 403 403 403 302
contacts:contact_list         200 200 200 200 200 403 302
contacts:contact_bulk         405 405 405 405 405 405 302
contacts:contact_create       200 200 200 200 200 403 302
contacts:contact_detail       200 200 200 200 200 403 302
contacts:contact_edit         200 200 200 200 200 403 302
contacts:contact_delete       200 200 200 403 403 403 302
contacts:contact_flag         405 405 405 405 405 405 302
contacts:relationship_set     405 405 405 405 405 405 302
contacts:relationship_remove  405 405 405 405 405 405 302
contacts:contact_export_person 405 405 405 405 405 405 302
contacts:contact_erase        200 200 403 403 403 403 302
contacts:outlet_choices       200 200 200 200 200 403 302
contacts:show_choices         200 200 200 200 200 403 302
contacts:outlet_list          200 200 200 200 200 403 302
contacts:outlet_create        200 200 200 200 200 403 302
contacts:outlet_detail        200 200 200 200 200 403 302
contacts:outlet_edit          200 200 200 200 200 403 302
contacts:outlet_delete        200 200 200 403 403 403 302
contacts:show_create          200 200 200 200 200 403 302
contacts:show_edit            200 200 200 200 200 403 302
contacts:show_delete          200 200 200 403 403 403 302
contacts:list_index           200 200 200 200 200 403 302
contacts:list_create          200 200 200 200 200 403 302
contacts:list_detail          200 200 200 200 200 403 302
contacts:list_edit            200 200 200 200 200 403 302
contacts:list_delete          200 200 200 403 403 403 302
contacts:list_remove_members  405 405 405 405 405 405 302
contacts:import_upload        200 200 200 403 403 403 302
contacts:import_mapping       200 200 404 403 403 403 302
contacts:import_start         405 405 405 405 405 405 302
contacts:import_progress      200 200 404 403 403 403 302
contacts:import_edit          405 405 405 405 405 405 302
contacts:export               200 200 200 403 403 403 302
campaigns:campaign_list       200 200 200 200 200 200 302
campaigns:campaign_create     200 200 200 403 403 403 302
campaigns:campaign_detail     200 200 200 200 200 200 302
campaigns:campaign_edit       200 200 200 403 403 403 302
campaigns:campaign_delete     200 200 403 403 403 403 302
campaigns:targeting           200 200 200 403 403 403 302
campaigns:attachment_upload   405 405 405 405 405 405 302
campaigns:attachment_download 200 200 200 200 200 200 302
campaigns:attachment_delete   405 405 405 405 405 405 302
outreach:message_edit         200 200 200 200 200 403 302
outreach:message_preview      200 200 200 200 200 403 302
outreach:message_test         405 405 405 405 405 405 302
outreach:sending              200 200 200 200 200 200 302
outreach:send                 405 405 405 405 405 405 302
outreach:pause                405 405 405 405 405 405 302
outreach:resume               405 405 405 405 405 405 302
outreach:requeue              405 405 405 405 405 405 302
outreach:guests               200 200 200 200 200 200 302
outreach:guest_answer         405 405 405 405 405 405 302
outreach:guest_export         200 200 200 403 403 403 302
agency_settings               200 403 403 403 403 403 302
calls:my_calls                200 200 200 200 200 403 302
calls:call_sheet              200 200 200 200 200 403 302
calls:claim                   405 405 405 405 405 405 302
calls:outcome                 405 405 405 405 405 405 302
calls:release                 405 405 405 405 405 405 302
calls:send                    405 405 405 405 405 405 302
followups:campaign_plan       200 200 200 200 200 403 302
followups:campaign_plan_save  405 405 405 405 405 405 302
followups:campaign_plan_send  405 405 405 405 405 405 302
followups:checkin             200 200 200 200 200 403 302
followups:checkin_mark        405 405 405 405 405 405 302
followups:overview            200 200 403 403 403 403 302
followups:policy              200 403 403 403 403 403 302
coverage:review               200 200 200 200 200 403 302
coverage:review_item          405 405 405 405 405 405 302
coverage:add                  200 200 200 200 200 403 302
coverage:attachment           200 200 200 200 200 200 302
coverage:campaign             200 200 200 200 200 200 302
coverage:settings             200 403 403 403 403 403 302
reports:campaign              200 200 200 200 200 200 302
reports:campaign_pdf          200 200 200 200 200 200 302
reports:client                200 200 200 200 200 200 302
"""
# Pages reached only from an e-mailed link with a signed token, tested in
# test_accounts_reset and test_outreach_preferences (the token is the only
# authority: anyone holding it, signed in or not, gets the page).
NOT_IN_TABLE = {
    "password_reset_confirm",
    "outreach:preferences",
    "outreach:unsubscribe",
    "outreach:rsvp",
    "outreach:event_ics",
    "outreach:click",
    "outreach:pixel",
}


def expectations() -> dict[str, dict[str, int]]:
    table = {}
    for line in TABLE.strip().splitlines():
        name, *codes = line.split()
        table[name] = dict(zip(ROLES, map(int, codes), strict=True))
    return table


def site_url_names() -> set[str]:
    names = set()

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("api/"):
                    continue  # the API has its own table (test_api_permissions)
                ns = ":".join(filter(None, [namespace, p.namespace]))
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns)
    return names


def test_the_table_names_every_page():
    assert site_url_names() - NOT_IN_TABLE == set(expectations())


@pytest.fixture
def objects(cast, client_company, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    d, m = cast["director"], cast["manager"]
    o = outlet(d, "Radio Lyon", kind="radio")
    show = create_show(d, o, {"name": "La Matinale"})
    c = contact(d, outlet_id=o.pk)
    media_list = create_list(m, {"name": "Presse lyonnaise"})
    job = ImportJob.objects.create(created_by=m, filename="x.csv", format="csv")
    job.file.save("x.csv", ContentFile(b"Nom;Courriel\nDubois;c@x.example\n"))
    brief = campaign(m, team=["officer"])
    kit = add_attachment(m, brief, SimpleUploadedFile("kit.pdf", b"%PDF-1.4\n"))
    invitation = campaign(
        m,
        "Inauguration",
        kind="event",
        event_at="2031-06-01T10:00:00+02:00",
        event_place="Lyon",
        team=["officer"],
    )
    guest = Recipient.objects.create(campaign=invitation, contact=c)
    now = timezone.now()
    followup = FollowUp.objects.create(
        campaign=brief,
        contact=c,
        channel="phone",
        window_start=now,
        window_end=now + timedelta(hours=2),
        assignee=cast["officer"],
        planned_at=now,
    )
    clipping = CoverageItem.objects.create(
        client=client_company,
        campaign=brief,
        status="confirmed",
        source="file",
        outlet=o,
        title="La Matinale parle du lancement",
        published_at=now,
        medium="radio",
        rights_held=True,
    )
    clipping.attachment.save("segment.pdf", ContentFile(b"%PDF-1.4 segment"))
    return {
        "coverage": clipping.pk,
        "followup": followup.pk,
        "campaign": brief.pk,
        "event": invitation.pk,
        "guest": guest.pk,
        "attachment": kit.pk,
        "contact": c.pk,
        "outlet": o.pk,
        "show": show.pk,
        "list": media_list.pk,
        "job": job.pk,
        "member": cast["officer"].pk,
        "client": client_company.pk,
        "user": m.pk,
    }


def url_for(name: str, ids: dict[str, int]) -> str:
    kwargs = {
        "team_edit": {"pk": ids["member"]},
        "team_deactivate": {"pk": ids["member"]},
        "team_reactivate": {"pk": ids["member"]},
        "team_invite": {"pk": ids["member"]},
        "client_detail": {"pk": ids["client"]},
        "client_edit": {"pk": ids["client"]},
        "client_delete": {"pk": ids["client"]},
        "contacts:outlet_detail": {"pk": ids["outlet"]},
        "contacts:outlet_edit": {"pk": ids["outlet"]},
        "contacts:outlet_delete": {"pk": ids["outlet"]},
        "contacts:show_create": {"pk": ids["outlet"]},
        "contacts:show_edit": {"pk": ids["show"]},
        "contacts:show_delete": {"pk": ids["show"]},
        "contacts:relationship_remove": {"pk": ids["contact"], "user_id": ids["user"]},
    }.get(name)
    if kwargs is None and name.startswith("contacts:list_") and name != "contacts:list_index":
        kwargs = {"pk": ids["list"]} if name != "contacts:list_create" else {}
    if kwargs is None and name.startswith("contacts:import_") and name != "contacts:import_upload":
        kwargs = {"pk": ids["job"]}
    if (
        kwargs is None
        and name.startswith("contacts:contact_")
        and name
        not in {
            "contacts:contact_list",
            "contacts:contact_bulk",
            "contacts:contact_create",
        }
    ):
        kwargs = {"pk": ids["contact"]}
    if (
        kwargs is None
        and name.startswith("campaigns:")
        and name
        not in {
            "campaigns:campaign_list",
            "campaigns:campaign_create",
        }
    ):
        kwargs = {"pk": ids["campaign"]}
        if name in {"campaigns:attachment_download", "campaigns:attachment_delete"}:
            kwargs["attachment_id"] = ids["attachment"]
    if kwargs is None and name.startswith("outreach:guest"):
        kwargs = {"pk": ids["event"]}
        if name == "outreach:guest_answer":
            kwargs["recipient_id"] = ids["guest"]
        if name == "outreach:guest_export":
            kwargs["fmt"] = "csv"
    if kwargs is None and name.startswith("outreach:"):
        kwargs = {"pk": ids["campaign"]}
    if kwargs is None and name.startswith("calls:") and name != "calls:my_calls":
        kwargs = {"pk": ids["followup"]}
    if kwargs is None and name.startswith("followups:checkin"):
        kwargs = {"pk": ids["event"]}
        if name == "followups:checkin_mark":
            kwargs["recipient_id"] = ids["guest"]
    if kwargs is None and name.startswith("followups:campaign_plan"):
        kwargs = {"pk": ids["campaign"]}
    if kwargs is None and name in {"coverage:review_item", "coverage:attachment"}:
        kwargs = {"pk": ids["coverage"]}
    if kwargs is None and name in {
        "coverage:campaign",
        "reports:campaign",
        "reports:campaign_pdf",
    }:
        kwargs = {"pk": ids["campaign"]}
    if kwargs is None and name == "reports:client":
        kwargs = {"pk": ids["client"]}
    if kwargs is None and name == "contacts:relationship_set":
        kwargs = {"pk": ids["contact"]}
    return reverse(name, kwargs=kwargs or {})


CASES = [(name, role) for name in expectations() for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_role_gets_the_expected_answer(name, role, objects, login, client):
    http = client if role == "anonymous" else login(role)
    response = http.get(url_for(name, objects))
    expected = expectations()[name][role]
    assert response.status_code == expected, (name, role, response.status_code)
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


# Answers that depend on the campaign, not only on the role.
OTHER_CLIENT_CAMPAIGN = {
    "campaigns:campaign_detail": 404,
    "campaigns:campaign_edit": 403,  # refused on the role first, as for clients
    "campaigns:campaign_delete": 403,
    "campaigns:targeting": 403,  # refused on the role first
    "campaigns:attachment_download": 404,
    "outreach:sending": 404,
    "outreach:message_edit": 403,  # refused on the role first
}


@pytest.mark.parametrize("name", sorted(OTHER_CLIENT_CAMPAIGN))
def test_a_client_viewer_never_reaches_another_clients_campaign(
    name, cast, login, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    other = Client.objects.create(name="Autre Client")
    brief = campaign(cast["manager"], client_id=other.pk)
    kit = add_attachment(cast["manager"], brief, SimpleUploadedFile("kit.pdf", b"%PDF-1.4\n"))
    kwargs = {"pk": brief.pk}
    if name == "campaigns:attachment_download":
        kwargs["attachment_id"] = kit.pk
    response = login("viewer").get(reverse(name, kwargs=kwargs))
    assert response.status_code == OTHER_CLIENT_CAMPAIGN[name]
    # ...which the team reads.
    assert login("intern").get(reverse(name, kwargs=kwargs)).status_code in (200, 403)


def test_a_press_officer_not_on_a_campaign_reads_it_but_does_not_edit_it(cast, login):
    brief = campaign(cast["manager"])
    http = login("officer")
    assert http.get(reverse("campaigns:campaign_detail", args=[brief.pk])).status_code == 200
    assert http.get(reverse("campaigns:campaign_edit", args=[brief.pk])).status_code == 403
    upload = reverse("campaigns:attachment_upload", args=[brief.pk])
    response = http.post(upload, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n")})
    assert response.status_code == 403

"""Campaign briefs and their media kit: who may see and edit them, and the
writes (validated, sanitised, audited, atomic) that pages, API and CLI share.

Who may do what (docs/roles.md):

* the team sees every client's campaigns; a client viewer sees only their own
  client's, read only, and another client's campaign is "not found";
* directors and account managers edit and delete any campaign;
* press officers create campaigns and edit those they are on (manager, team
  or author): they run their own campaigns, not their colleagues';
* interns and community managers read: they make calls with the talking
  points, they do not change the brief.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import nh3
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from relance.accounts.models import Client, Language, Role, User
from relance.accounts.permissions import ROLE_CAPABILITIES, Cap, has, require
from relance.audit import services as audit
from relance.campaigns.models import (
    EVENT_KINDS,
    Campaign,
    CampaignAttachment,
    CampaignKind,
    CampaignStatus,
)
from relance.lib.files import sniff
from relance.lib.text import clean_text, search_document, squash, words

# --- The body: rich text, sanitised on every write ----------------------------

# What a press release needs, and nothing that runs or restyles: no scripts,
# no event handlers, no styles, no images pulled from elsewhere (tracking),
# links only to the web and to mail addresses.
BODY_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "blockquote"})
BODY_ATTRIBUTES = {"a": {"href"}}
BODY_URL_SCHEMES = frozenset({"http", "https", "mailto"})
MAX_BODY_CHARS = 100_000
_BLANK_LINES = re.compile(r"\n\s*\n")


def sanitise_body(text: str) -> str:
    """The body as safe HTML. Text typed without any markup is kept as
    paragraphs (blank lines) and line breaks, rather than run together."""
    text = clean_text(text).replace("\r\n", "\n").strip()
    if not text:
        return ""
    if "<" not in text:
        paragraphs = [p.strip() for p in _BLANK_LINES.split(text) if p.strip()]
        text = "".join(
            "<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>"
            for p in paragraphs
        )
    return nh3.clean(
        text,
        tags=set(BODY_TAGS),
        attributes={k: set(v) for k, v in BODY_ATTRIBUTES.items()},
        url_schemes=set(BODY_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


# --- Who sees and edits what --------------------------------------------------


def visible_campaigns(actor: User | None) -> QuerySet[Campaign]:
    """Every campaign for the team; only their client's for a client viewer;
    PermissionDenied for anyone else."""
    if has(actor, Cap.VIEW_CAMPAIGNS):
        return Campaign.objects.all()
    if (
        actor is not None
        and actor.is_active
        and actor.role == Role.CLIENT_VIEWER
        and actor.client_id
    ):
        return Campaign.objects.filter(client_id=actor.client_id)
    raise PermissionDenied(_("Your role does not allow this."))


def is_on(user: User | None, campaign: Campaign) -> bool:
    """Manager, team member or author of the campaign."""
    if user is None or not getattr(user, "pk", None):
        return False
    if user.pk in (campaign.manager_id, campaign.created_by_id):
        return True
    return campaign.team.filter(pk=user.pk).exists()


def can_edit(user: User | None, campaign: Campaign) -> bool:
    if has(user, Cap.EDIT_ALL_CAMPAIGNS):
        return True
    return has(user, Cap.EDIT_CAMPAIGNS) and is_on(user, campaign)


def require_edit(actor: User | None, campaign: Campaign) -> None:
    require(actor, Cap.EDIT_CAMPAIGNS)
    if not can_edit(actor, campaign):
        raise PermissionDenied(
            _("Only the campaign's manager, its team and account managers may change it.")
        )


def can_delete(user: User | None) -> bool:
    return has(user, Cap.EDIT_ALL_CAMPAIGNS)


def possible_managers() -> QuerySet[User]:
    """Active members whose role may run a campaign."""
    roles = [role for role in Role.values if Cap.EDIT_CAMPAIGNS in _caps_of(role)]
    return User.objects.filter(is_active=True, role__in=roles).order_by("username")


def possible_team() -> QuerySet[User]:
    """Active team members (interns and community managers make calls too);
    client viewers are never on a campaign's team."""
    return User.objects.filter(is_active=True).exclude(role=Role.CLIENT_VIEWER).order_by("username")


def _caps_of(role: str) -> frozenset[Cap]:
    return ROLE_CAPABILITIES.get(role, frozenset())


# --- Validation -----------------------------------------------------------------

FIELDS = (
    "client_id",
    "title",
    "kind",
    "language",
    "summary",
    "body",
    "key_messages",
    "talking_points",
    "products",
    "embargo_until",
    "event_at",
    "event_ends_at",
    "event_place",
    "manager",
    "team",
)
MAX_LINES = 30
MAX_LINE_CHARS = 300
MAX_SUMMARY_CHARS = 2000
_BULLET = re.compile(r"^\s*(?:[-*•–—·]|\d+[.)])\s+")


class _Problems:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def clean_lines(value: Any) -> list[str]:
    """Short lines (key messages, talking points) from a list, or from text
    with one line each; bullets typed in front are dropped."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        raise ValueError(_("Expected a list of short lines."))
    lines = []
    for item in value:
        if not isinstance(item, str):
            raise ValueError(_("Expected a list of short lines."))
        line = squash(_BULLET.sub("", item))
        if not line:
            continue
        if len(line) > MAX_LINE_CHARS:
            raise ValueError(
                _("Keep each line under %(limit)d characters: “%(start)s…” is longer.")
                % {"limit": MAX_LINE_CHARS, "start": line[:40]}
            )
        lines.append(line)
    if len(lines) > MAX_LINES:
        raise ValueError(_("At most %(limit)d lines.") % {"limit": MAX_LINES})
    return lines


def clean_datetime(value: Any) -> datetime | None:
    """An aware datetime from a datetime or ISO-8601 text; without an offset,
    the time is read in the user's time zone (the one active)."""
    if value in (None, ""):
        return None
    moment: datetime | None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(str(value).strip())
        except ValueError:
            moment = None
    if moment is None:
        raise ValueError(_("Not a date and time; use 2026-12-31T09:30:00+01:00."))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    if not 2000 <= moment.year <= 2200:
        raise ValueError(_("Not a date and time; use 2026-12-31T09:30:00+01:00."))
    return moment


def _client(value: Any) -> Client:
    if isinstance(value, Client):
        return value
    try:
        pk = int(str(value).strip())
    except (TypeError, ValueError):
        pk = 0
    if isinstance(value, bool) or not 1 <= pk <= 2**63 - 1:
        pk = 0
    client = Client.objects.filter(pk=pk).first() if pk else None
    if client is None:
        raise ValueError(_("This client does not exist."))
    return client


def _manager(value: Any) -> User:
    username = value.username if isinstance(value, User) else squash(str(value or ""))
    if not username:
        raise ValueError(_("A campaign needs a manager."))
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValueError(
            _("No active team member has the username “%(name)s”.") % {"name": username}
        )
    if not has(user, Cap.EDIT_CAMPAIGNS):
        raise ValueError(
            _("%(name)s cannot run a campaign (role: %(role)s).")
            % {"name": user.username, "role": user.get_role_display()}
        )
    return user


def _team(value: Any) -> list[User]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in re.split(r"[\s,;]+", value) if v]
    if not isinstance(value, list | tuple | set):
        raise ValueError(_("Expected a list of usernames."))
    names = []
    for item in value:
        name = item.username if isinstance(item, User) else item
        if not isinstance(name, str):
            raise ValueError(_("Expected a list of usernames."))
        names.append(squash(name))
    names = list(dict.fromkeys(n for n in names if n))
    users = {u.username: u for u in possible_team().filter(username__in=names)}
    unknown = [n for n in names if n not in users]
    if unknown:
        raise ValueError(_("Not active team members: %(names)s.") % {"names": ", ".join(unknown)})
    return [users[n] for n in names]


def _choice(value: Any, allowed: Iterable[str]) -> str:
    text = str(value or "").strip()
    allowed = sorted(allowed)
    if text not in allowed:
        raise ValueError(
            _("“%(value)s” is not a valid choice; use one of: %(allowed)s.")
            % {"value": value, "allowed": ", ".join(allowed)}
        )
    return text


def clean_campaign(
    data: Mapping[str, Any], campaign: Campaign | None = None
) -> tuple[dict[str, Any], list[User] | None]:
    """Field values to write and the team (None: unchanged). A new campaign
    gets defaults for what `data` leaves out; an existing one keeps them.
    Every problem is reported at once, under the field's name."""
    problems = _Problems()
    for name in sorted(set(data) - set(FIELDS)):
        problems.add(name, _("Unknown field."))
    values: dict[str, Any] = {}
    team: list[User] | None = None

    def field(name: str, clean: Any) -> None:
        if name not in data:
            return
        try:
            values[name] = clean(data[name])
        except (ValueError, TypeError) as exc:
            problems.add(name, str(exc))

    field("client_id", _client)
    field("title", lambda v: squash(str(v or "")))
    field("kind", lambda v: _choice(v, CampaignKind.values))
    field("language", lambda v: _choice(str(v or "").lower(), Language.values))
    field("summary", lambda v: clean_text(str(v or "")).strip())
    field("body", lambda v: sanitise_body(str(v or "")))
    field("key_messages", clean_lines)
    field("talking_points", clean_lines)
    field("products", clean_lines)
    field("embargo_until", clean_datetime)
    field("event_at", clean_datetime)
    field("event_ends_at", clean_datetime)
    field("event_place", lambda v: squash(str(v or "")))
    field("manager", _manager)
    if "team" in data:
        try:
            team = _team(data["team"])
        except (ValueError, TypeError) as exc:
            problems.add("team", str(exc))

    if "client_id" in values:
        values["client"] = values.pop("client_id")
    elif campaign is None and "client_id" not in problems.errors:
        problems.add("client_id", _("Choose the client this campaign is for."))

    def final(name: str, default: Any) -> Any:
        if name in values:
            return values[name]
        if campaign is not None:
            return getattr(campaign, name)
        return default

    title = final("title", "")
    if "title" not in problems.errors:
        if not title:
            problems.add("title", _("A campaign needs a title."))
        elif len(title) > 200:
            problems.add("title", _("Too long: at most %(limit)d characters.") % {"limit": 200})
    if len(values.get("summary", "")) > MAX_SUMMARY_CHARS:
        problems.add(
            "summary",
            _("Too long: at most %(limit)d characters.") % {"limit": MAX_SUMMARY_CHARS},
        )
    if len(values.get("body", "")) > MAX_BODY_CHARS:
        problems.add(
            "body", _("Too long: at most %(limit)d characters.") % {"limit": MAX_BODY_CHARS}
        )
    if len(values.get("event_place", "")) > 300:
        problems.add("event_place", _("Too long: at most %(limit)d characters.") % {"limit": 300})

    # The event's date and place belong to events and press conferences
    # only: a release with a date would be followed up like an invitation.
    kind = final("kind", CampaignKind.RELEASE)
    if "kind" not in problems.errors:
        event_at = final("event_at", None)
        ends_at = final("event_ends_at", None)
        place = final("event_place", "")
        if (
            event_at is not None
            and ends_at is not None
            and ends_at <= event_at
            and not {"event_at", "event_ends_at"} & set(problems.errors)
        ):
            problems.add("event_ends_at", _("The end must come after the start."))
        if (
            kind not in EVENT_KINDS
            and ends_at is not None
            and "event_ends_at" not in problems.errors
        ):
            problems.add("event_ends_at", _("A press release has no event end: leave it empty."))
        if kind in EVENT_KINDS:
            if event_at is None and "event_at" not in problems.errors:
                problems.add("event_at", _("An event or a press conference needs a date and time."))
            if not place and "event_place" not in problems.errors:
                problems.add("event_place", _("An event or a press conference needs a place."))
        else:
            if event_at is not None and "event_at" not in problems.errors:
                problems.add(
                    "event_at",
                    _(
                        "A press release has no event date: leave it empty, or make the"
                        " campaign an event invitation or a press conference."
                    ),
                )
            if place and "event_place" not in problems.errors:
                problems.add(
                    "event_place",
                    _(
                        "A press release has no event place: leave it empty, or make the"
                        " campaign an event invitation or a press conference."
                    ),
                )
    problems.raise_if_any()
    return values, team


def _search_text(campaign: Campaign) -> str:
    return search_document(
        campaign.title,
        campaign.summary,
        campaign.event_place,
        *campaign.key_messages,
        *campaign.products,
    )


# --- Writes -----------------------------------------------------------------------


@transaction.atomic
def create_campaign(actor: User | None, data: Mapping[str, Any]) -> Campaign:
    require(actor, Cap.EDIT_CAMPAIGNS)
    data = dict(data)
    if not data.get("manager") and actor is not None and has(actor, Cap.EDIT_CAMPAIGNS):
        data["manager"] = actor.username  # whoever briefs it runs it, unless told
    values, team = clean_campaign(data)
    values.setdefault("language", values["client"].language)
    campaign = Campaign(created_by=actor if getattr(actor, "pk", None) else None, **values)
    campaign.search_text = _search_text(campaign)
    campaign.save()
    if team:
        campaign.team.set(team)
    audit.record(
        actor,
        "create",
        campaign,
        changes={"client": campaign.client.name, "kind": campaign.kind},
    )
    return campaign


def _audit_value(name: str, value: Any) -> Any:
    if isinstance(value, User | Client):
        return str(value.username if isinstance(value, User) else value.name)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


@transaction.atomic
def update_campaign(actor: User | None, campaign: Campaign, data: Mapping[str, Any]) -> Campaign:
    require_edit(actor, campaign)
    values, team = clean_campaign(data, campaign)
    before = {k: _audit_value(k, getattr(campaign, k)) for k in values}
    for name, value in values.items():
        setattr(campaign, name, value)
    campaign.search_text = _search_text(campaign)
    campaign.save()
    changes = audit.diff(before, {k: _audit_value(k, v) for k, v in values.items()})
    if "body" in changes:
        changes["body"] = ["…", "…"]  # the text itself would swamp the trail
    if team is not None:
        old = sorted(campaign.team.values_list("username", flat=True))
        campaign.team.set(team)
        new = sorted(u.username for u in team)
        if old != new:
            changes["team"] = [old, new]
    if changes:
        audit.record(actor, "update", campaign, changes=changes)
    return campaign


@transaction.atomic
def delete_campaign(actor: User | None, campaign: Campaign) -> None:
    """Only drafts can be deleted; what was sent is the client's history."""
    require(actor, Cap.EDIT_ALL_CAMPAIGNS)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("Only a draft can be deleted: this campaign was sent."))
    names = list(campaign.attachments.values_list("file", flat=True))
    audit.record(actor, "delete", campaign)
    campaign.delete()
    _delete_files_on_commit(names)


def _delete_files_on_commit(names: list[str]) -> None:
    storage = CampaignAttachment._meta.get_field("file").storage  # type: ignore[attr-defined]

    def remove() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


# --- Attachments (the media kit) -----------------------------------------------------

MAX_ATTACHMENTS = 30


def attachment_max_bytes() -> int:
    """Largest attachment accepted (setting RELANCE_ATTACHMENT_MAX_BYTES)."""
    return int(settings.ATTACHMENT_MAX_BYTES)


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


@transaction.atomic
def add_attachment(
    actor: User | None, campaign: Campaign, upload: IO[bytes], title: str = "", name: str = ""
) -> CampaignAttachment:
    """Store one file of the media kit. `upload` is a Django UploadedFile or
    any binary file object; `name` is its original name when the object has
    none."""
    require_edit(actor, campaign)
    filename = squash(Path(str(name or getattr(upload, "name", "") or "file")).name)[:255]
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    limit = attachment_max_bytes()
    problems = _Problems()
    kind = sniff(head)
    if size == 0:
        problems.add("file", _("The file is empty."))
    elif size > limit:
        problems.add(
            "file",
            _("The file is too large: at most %(limit)s.") % {"limit": _size_text(limit)},
        )
    elif kind is None:
        problems.add(
            "file",
            _(
                "Only PDF files and images (PNG, JPEG, GIF, WebP) are accepted, and this"
                " file is none of them, whatever its name says."
            ),
        )
    if campaign.attachments.count() >= MAX_ATTACHMENTS:
        problems.add(
            "file", _("A campaign holds at most %(limit)d files.") % {"limit": MAX_ATTACHMENTS}
        )
    title = squash(title) or squash(Path(filename).stem) or filename
    if len(title) > 200:
        problems.add("title", _("Too long: at most %(limit)d characters.") % {"limit": 200})
    problems.raise_if_any()
    assert kind is not None
    content_type, extension = kind
    attachment = CampaignAttachment(
        campaign=campaign,
        title=title,
        filename=filename,
        content_type=content_type,
        size=size,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    # Stored under a random name with the extension of what the file is.
    attachment.file.save(f"upload{extension}", File(upload), save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.storage.delete(str(attachment.file.name))
        raise
    audit.record(actor, "attachment_added", campaign, changes={"file": filename, "size": size})
    return attachment


@transaction.atomic
def delete_attachment(actor: User | None, attachment: CampaignAttachment) -> None:
    campaign = attachment.campaign
    require_edit(actor, campaign)
    name = str(attachment.file.name)
    audit.record(actor, "attachment_removed", campaign, changes={"file": attachment.filename})
    attachment.delete()
    _delete_files_on_commit([name])


# --- Reading ----------------------------------------------------------------------------


def filter_campaigns(
    qs: QuerySet[Campaign],
    *,
    search: str = "",
    client_id: int | None = None,
    kinds: Iterable[str] = (),
    statuses: Iterable[str] = (),
    mine: User | None = None,
) -> QuerySet[Campaign]:
    """The list's filters. `search` matches every word, accents and case
    ignored, in the title, summary, key messages and place."""
    for word in words(search)[:10]:
        qs = qs.filter(search_text__contains=word)
    if client_id:
        qs = qs.filter(client_id=client_id)
    kinds = [k for k in kinds if k in CampaignKind.values]
    if kinds:
        qs = qs.filter(kind__in=kinds)
    statuses = [s for s in statuses if s in CampaignStatus.values]
    if statuses:
        qs = qs.filter(status__in=statuses)
    if mine is not None:
        qs = qs.filter(Q(manager=mine) | Q(team=mine) | Q(created_by=mine)).distinct()
    return qs

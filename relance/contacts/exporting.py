"""Exporting contacts to CSV, XLSX and vCard.

An export copies personal data out of the agency's control, so:
* it needs Cap.EXPORT_CONTACTS (interns, community managers and clients do
  not have it), checked here, whoever calls;
* it leaves out people who opted out or must not be contacted (an export
  must not become a way around an opt-out); directors and managers may
  include them, with their flags, for a backup or a migration;
* erased people never appear;
* every export is in the audit trail (who, format, how many).

The columns are the ones the import recognises (in both interface
languages), so an export re-imports to the same contacts.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.accounts.models import Language, Role
from relance.accounts.permissions import Cap, require
from relance.audit import services as audit
from relance.contacts.importing.mapping import join_beats
from relance.contacts.models import (
    Channel,
    Contact,
    ContactEmail,
    ContactPhone,
    ContactRole,
    LegalBasis,
    MediaList,
    OutletKind,
    Periodicity,
)
from relance.contacts.search import ContactFilters, search_contacts
from relance.contacts.validation import SOCIAL_LABELS, SOCIAL_NETWORKS
from relance.lib.phones import display

FORMATS = ("csv", "xlsx", "vcf")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "vcf": "text/vcard; charset=utf-8",
}
CHUNK = 1000
# Who may export people who opted out (with their flags, for a backup).
FULL_EXPORT_ROLES = (Role.DIRECTOR, Role.MANAGER)

_SOCIAL_HEADERS = SOCIAL_LABELS
# (key, header, import target). The headers are what the import recognises.
COLUMNS: tuple[tuple[str, Any, str], ...] = (
    ("first_name", gettext_lazy("First name"), "first_name"),
    ("last_name", gettext_lazy("Last name"), "last_name"),
    ("role", gettext_lazy("Role"), "role"),
    ("title", gettext_lazy("Job title"), "title"),
    ("outlet", gettext_lazy("Outlet"), "outlet_name"),
    ("outlet_kind", gettext_lazy("Outlet kind"), "outlet_kind"),
    ("outlet_periodicity", gettext_lazy("Periodicity"), "outlet_periodicity"),
    ("outlet_country", gettext_lazy("Country"), "outlet_country"),
    ("outlet_region", gettext_lazy("Region"), "outlet_region"),
    ("outlet_city", gettext_lazy("City"), "outlet_city"),
    ("outlet_website", gettext_lazy("Website"), "outlet_website"),
    ("language", gettext_lazy("Language"), "language"),
    ("beats", gettext_lazy("Beats"), "beats"),
    ("email", gettext_lazy("E-mail"), "emails"),
    ("other_emails", gettext_lazy("Other e-mails"), "emails"),
    ("phone", gettext_lazy("Phone"), "phones"),
    ("other_phones", gettext_lazy("Other phones"), "phones"),
    *((f"social.{n}", _SOCIAL_HEADERS.get(n, n), f"social.{n}") for n in SOCIAL_NETWORKS),
    ("accepts_phone", gettext_lazy("Accepts phone calls"), "accepts_phone"),
    ("preferred_channel", gettext_lazy("Preferred channel"), "preferred_channel"),
    ("best_hours", gettext_lazy("Best hours"), "best_hours"),
    ("paused_until", gettext_lazy("Paused until"), "paused_until"),
    ("opted_out", gettext_lazy("Opted out"), "opted_out"),
    ("opted_out_source", gettext_lazy("Opted out by"), "opted_out_source"),
    ("do_not_contact", gettext_lazy("Do not contact"), "do_not_contact"),
    ("vip", gettext_lazy("VIP"), "vip"),
    ("notes", gettext_lazy("Notes"), "notes"),
    ("legal_basis", gettext_lazy("Legal basis"), "legal_basis"),
    ("source", gettext_lazy("Source"), "source"),
)


def export_header_aliases() -> list[tuple[str, str]]:
    """(header as exported in each interface language, import target)."""
    from django.conf import settings

    pairs: list[tuple[str, str]] = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            pairs.extend((str(header), target) for _key, header, target in COLUMNS)
    return pairs


@dataclass
class Export:
    """A prepared export: who asked, which contacts, in which format."""

    format: str
    ids: list[int]
    filename: str
    include_opted_out: bool
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    def chunks(self) -> Iterator[bytes]:
        """The file, piece by piece (for a streaming response)."""
        if self.format == "csv":
            yield from _csv_chunks(self)
        elif self.format == "vcf":
            yield from _vcard_chunks(self)
        else:
            with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as buffer:
                write_xlsx(self, buffer)
                buffer.seek(0)
                while piece := buffer.read(1024 * 1024):
                    yield piece

    def write(self, stream: IO[bytes]) -> None:
        for piece in self.chunks():
            stream.write(piece)


def prepare_export(
    actor: Any,
    format: str = "csv",
    *,
    filters: ContactFilters | None = None,
    media_list: MediaList | None = None,
    include_opted_out: bool = False,
) -> Export:
    """Check the actor may take this export, choose the contacts, and record
    it in the audit trail."""
    require(actor, Cap.EXPORT_CONTACTS)
    if format not in FORMATS:
        raise ValueError(
            _("Unknown format “%(format)s”: use csv, xlsx or vcf.") % {"format": format}
        )
    if include_opted_out and getattr(actor, "role", None) not in FULL_EXPORT_ROLES:
        raise PermissionDenied(_("Only directors and managers may export contacts who opted out."))
    if media_list is not None:
        from relance.contacts.services.lists import list_contacts

        qs = list_contacts(actor, media_list)
    else:
        qs = search_contacts(actor, filters or ContactFilters())
    if not include_opted_out:
        qs = qs.filter(opted_out=False, do_not_contact=False)
    ids = list(qs.values_list("pk", flat=True))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    base = f"contacts-{_slug(media_list.name)}" if media_list is not None else "contacts"
    export = Export(
        format=format,
        ids=ids,
        filename=f"{base}-{stamp}.{format}",
        include_opted_out=include_opted_out,
    )
    audit.record(
        actor,
        "export",
        target_type="contact",
        target_label=export.filename,
        changes={
            "format": format,
            "count": export.count,
            "list": media_list.name if media_list is not None else None,
            "filters": (filters.to_params() if filters is not None else {}),
            "include_opted_out": include_opted_out,
        },
    )
    return export


def _slug(text: str) -> str:
    return re.sub(r"[^\w-]+", "-", text).strip("-")[:40] or "list"


# --- Reading the contacts ---------------------------------------------------------


def contacts_in_order(ids: list[int]) -> Iterator[Contact]:
    """The contacts, in the export's order, a thousand at a time with what a
    row shows fetched in a few queries per thousand."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found = {
            c.pk: c
            for c in Contact.objects.filter(pk__in=chunk)
            .select_related("outlet")
            .prefetch_related(
                Prefetch("emails", queryset=ContactEmail.objects.order_by("-is_primary", "id")),
                Prefetch("phones", queryset=ContactPhone.objects.order_by("-is_primary", "id")),
                "beats",
            )
        }
        for pk in chunk:
            if pk in found:
                yield found[pk]


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def row_values(contact: Contact) -> dict[str, str]:
    """One contact as export cells (text), keyed like COLUMNS."""
    outlet = contact.outlet
    emails = [e.address for e in contact.emails.all()]
    phones = [display(p.number, "") for p in contact.phones.all()]
    opted_out_by = ""
    if contact.opted_out:
        opted_out_by = _("journalist") if contact.opted_out_source == "self" else _("agency")
    row = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "role": _label(ContactRole, contact.role),
        "title": contact.title,
        "outlet": outlet.name if outlet else "",
        "outlet_kind": _label(OutletKind, outlet.kind) if outlet else "",
        "outlet_periodicity": _label(Periodicity, outlet.periodicity) if outlet else "",
        "outlet_country": outlet.country if outlet else "",
        "outlet_region": outlet.region if outlet else "",
        "outlet_city": outlet.city if outlet else "",
        "outlet_website": outlet.website if outlet else "",
        "language": _label(Language, contact.language),
        "beats": join_beats([b.name for b in contact.beats.all()]),
        "email": emails[0] if emails else "",
        "other_emails": "; ".join(emails[1:]),
        "phone": phones[0] if phones else "",
        "other_phones": "; ".join(phones[1:]),
        "accepts_phone": _yes(contact.accepts_phone),
        "preferred_channel": _label(Channel, contact.preferred_channel)
        if contact.preferred_channel
        else "",
        "best_hours": contact.best_hours,
        "paused_until": contact.paused_until.isoformat() if contact.paused_until else "",
        "opted_out": _yes(contact.opted_out),
        "opted_out_source": opted_out_by,
        "do_not_contact": _yes(contact.do_not_contact),
        "vip": _yes(contact.vip),
        "notes": contact.notes,
        "legal_basis": _label(LegalBasis, contact.legal_basis),
        "source": contact.source,
    }
    social = contact.social or {}
    for network in SOCIAL_NETWORKS:
        row[f"social.{network}"] = str(social.get(network, ""))
    return row


# --- CSV and XLSX ----------------------------------------------------------------

_PHONE_LIKE = re.compile(r"^[+\-]?[\d\s().\-/]+$")


def _safe(text: str) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula (a name
    typed into a web form could do harm). Such cells get a leading
    apostrophe, which the import takes off; phone numbers are left alone."""
    if text and text[0] in "=+-@" and not _PHONE_LIKE.match(text):
        return "'" + text
    return text


def _headers() -> list[str]:
    return [str(header) for _key, header, _target in COLUMNS]


def _csv_chunks(export: Export) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # Excel needs the BOM to read UTF-8 accents
    writer.writerow(_headers())
    keys = [key for key, _header, _target in COLUMNS]
    for i, contact in enumerate(contacts_in_order(export.ids), start=1):
        row = row_values(contact)
        writer.writerow([_safe(row[k]) for k in keys])
        if i % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(export: Export, stream: IO[bytes]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Contacts"))[:31])
    sheet.append(_headers())
    keys = [key for key, _header, _target in COLUMNS]
    for contact in contacts_in_order(export.ids):
        row = row_values(contact)
        cells = []
        for key in keys:
            cell = WriteOnlyCell(sheet, value=row[key])
            cell.data_type = "s"  # text, never a formula
            cells.append(cell)
        sheet.append(cells)
    workbook.save(stream)


# --- vCard -----------------------------------------------------------------------

_PHONE_TYPES = {"mobile": "CELL", "work": "WORK", "home": "HOME"}


def _escape(text: str) -> str:
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with CRLF and a space, never
    cutting a UTF-8 character."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > 75:
            out.append("".join(current))
            current, size = [" "], 1
        current.append(ch)
        size += width
    out.append("".join(current))
    return "\r\n".join(out) + "\r\n"


def vcard(contact: Contact) -> str:
    outlet = contact.outlet
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{_escape(contact.last_name)};{_escape(contact.first_name)};;;",
        f"FN:{_escape(contact.full_name)}",
    ]
    if outlet:
        lines.append(f"ORG:{_escape(outlet.name)}")
    if contact.title:
        lines.append(f"TITLE:{_escape(contact.title)}")
    for email in contact.emails.all():
        types = ["INTERNET"] + ([email.label.upper()] if email.label in ("work", "home") else [])
        if email.is_primary:
            types.append("PREF")
        lines.append(f"EMAIL;TYPE={','.join(types)}:{_escape(email.address)}")
    for phone in contact.phones.all():
        types = [_PHONE_TYPES.get(phone.label, "VOICE")]
        if phone.is_primary:
            types.append("PREF")
        lines.append(f"TEL;TYPE={','.join(types)}:{display(phone.number, '')}")
    beats = [b.name for b in contact.beats.all()]
    if beats:
        lines.append("CATEGORIES:" + ",".join(_escape(b) for b in beats))
    if contact.notes:
        lines.append(f"NOTE:{_escape(contact.notes)}")
    social = contact.social or {}
    for network in SOCIAL_NETWORKS:
        if social.get(network):
            lines.append(f"X-SOCIALPROFILE;TYPE={network}:{_escape(social[network])}")
    extra = {
        "ROLE": contact.role,
        "LANGUAGE": contact.language,
        "ACCEPTS-PHONE": "yes" if contact.accepts_phone else "no",
        "PREFERRED-CHANNEL": contact.preferred_channel,
        "BEST-HOURS": contact.best_hours,
        "PAUSED-UNTIL": contact.paused_until.isoformat() if contact.paused_until else "",
        "OPTED-OUT": "yes" if contact.opted_out else "no",
        "OPTED-OUT-BY": contact.opted_out_source if contact.opted_out else "",
        "DO-NOT-CONTACT": "yes" if contact.do_not_contact else "no",
        "VIP": "yes" if contact.vip else "no",
        "LEGAL-BASIS": contact.legal_basis,
        "SOURCE": contact.source,
    }
    if outlet:
        extra.update(
            {
                "OUTLET-KIND": outlet.kind,
                "OUTLET-PERIODICITY": outlet.periodicity,
                "OUTLET-COUNTRY": outlet.country,
                "OUTLET-REGION": outlet.region,
                "OUTLET-CITY": outlet.city,
                "OUTLET-WEBSITE": outlet.website,
            }
        )
    # Relance's own fields travel as X- properties (codes, not labels) so a
    # vCard export re-imports with everything; other tools ignore them.
    for name, value in extra.items():
        if value:
            lines.append(f"X-RELANCE-{name}:{_escape(value)}")
    lines.append("END:VCARD")
    return "".join(_fold(line) for line in lines)


def _vcard_chunks(export: Export) -> Iterator[bytes]:
    parts: list[str] = []
    for i, contact in enumerate(contacts_in_order(export.ids), start=1):
        parts.append(vcard(contact))
        if i % 500 == 0:
            yield "".join(parts).encode("utf-8")
            parts = []
    yield "".join(parts).encode("utf-8")

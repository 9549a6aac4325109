"""The rows of the contacts table, rendered in Python.

The table is the hottest piece of HTML in Relance (50 to 200 rows on every
search, filter and page). Through the template engine each row cost about
0.5 ms on the reference machine — variable lookups, `{% url %}` and
translations repeated per row — which made rendering the largest part of a
search page. This module produces the same markup with f-strings; every
value coming from data goes through `esc` (html.escape, quotes included),
and what is the same for every row is computed once.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from relance.accounts.models import Language, User
from relance.contacts.models import (
    Beat,
    Contact,
    ContactBeat,
    ContactEmail,
    ContactPhone,
    ContactRole,
    Relationship,
)
from relance.contacts.templatetags.mediadb import phone, phone_intl, strength_dots, strength_label


@dataclass(slots=True)
class ContactRow:
    """What one row of the table shows: plain values, not model instances
    (building 50 contacts with their outlet, e-mail, phone, beats and
    relationships as model instances cost more than finding them)."""

    pk: int
    first_name: str
    last_name: str
    role: str
    title: str
    language: str
    vip: bool
    opted_out: bool
    do_not_contact: bool
    paused_until: date | None
    updated_at: datetime
    outlet_id: int | None
    outlet_name: str | None
    show_name: str | None
    email: str = ""
    email_bounced: bool = False
    phone: str = ""
    beats: list[str] = field(default_factory=list)
    known_by: list[tuple[str, int]] = field(default_factory=list)  # (name, strength)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


# What the rows show of other tables, for the contacts of one page, in one
# statement: each ORM query costs a round trip and its compilation (1.3 to
# 2.4 ms each on PostgreSQL on the reference machine), and a page needs four.
# Columns: kind, contact, text, detail, number; sorted as the page shows them
# (beats by name, people who know the contact by strength then username).
_DETAILS = """
SELECT 0, contact_id, address, status, 0, '' FROM {email} WHERE is_primary AND contact_id IN ({ids})
UNION ALL
SELECT 1, contact_id, number, '', 0, '' FROM {phone} WHERE is_primary AND contact_id IN ({ids})
UNION ALL
SELECT 2, cb.contact_id, b.name, '', 0, b.name FROM {contact_beat} cb
  JOIN {beat} b ON b.id = cb.beat_id WHERE cb.contact_id IN ({ids})
UNION ALL
SELECT 3, r.contact_id, TRIM(u.first_name || ' ' || u.last_name), u.username, r.strength,
  u.username FROM {relationship} r JOIN {user} u ON u.id = r.user_id WHERE r.contact_id IN ({ids})
ORDER BY 1, 5 DESC, 6
"""


def table_rows(contacts: QuerySet[Contact]) -> list[ContactRow]:
    """The rows of `contacts`, in its order, in two queries whatever their number."""
    rows = [
        ContactRow(*values)
        for values in contacts.values_list(
            "pk",
            "first_name",
            "last_name",
            "role",
            "title",
            "language",
            "vip",
            "opted_out",
            "do_not_contact",
            "paused_until",
            "updated_at",
            "outlet_id",
            "outlet__name",
            "show__name",
        )
    ]
    if not rows:
        return rows
    by_pk = {row.pk: row for row in rows}
    sql = _DETAILS.format(
        ids=", ".join(["%s"] * len(by_pk)),
        email=ContactEmail._meta.db_table,
        phone=ContactPhone._meta.db_table,
        contact_beat=ContactBeat._meta.db_table,
        beat=Beat._meta.db_table,
        relationship=Relationship._meta.db_table,
        user=User._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(by_pk) * 4)
        for kind, pk, text, detail, number, _sort in cursor.fetchall():
            row = by_pk[pk]
            if kind == 0 and not row.email:
                row.email, row.email_bounced = text, detail == "bounced"
            elif kind == 1 and not row.phone:
                row.phone = text
            elif kind == 2:
                row.beats.append(text)
            elif kind == 3:
                row.known_by.append((text or detail, number))
    return rows


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _prefix(name: str) -> str:
    # "/contacts/0/" -> "/contacts/": ids are appended per row instead of a
    # reverse() for each link.
    url = reverse(name, args=[0])
    return url[: url.rindex("0/")]


def _badge(kind: str, text: str) -> str:
    return f'<span class="badge {kind}">{esc(text)}</span>'


def contact_rows(
    contacts: Iterable[ContactRow],
    *,
    selectable: bool,
    today: date,
    pressure: Mapping[int, str] | None = None,
) -> SafeString:
    contact_url, outlet_url = _prefix("contacts:contact_detail"), _prefix("contacts:outlet_detail")
    roles, languages = dict(ContactRole.choices), dict(Language.choices)
    vip, opted_out = _badge("ok", _("VIP")), _badge("bad", _("Opted out"))
    dnc, bounced = _badge("bad", _("Do not contact")), _badge("bad", _("Bounced"))
    strengths = [
        f'<span class="strength" aria-hidden="true" title="{esc(strength_label(n))}">'
        f'{strength_dots(n)}</span><span class="visually-hidden">({esc(strength_label(n))})</span>'
        for n in range(4)
    ]
    no_outlet = '<span class="muted">—</span>'
    rows = []
    for c in contacts:
        email, number = c.email, c.phone
        flags = "".join(
            (
                vip if c.vip else "",
                opted_out if c.opted_out else "",
                dnc if c.do_not_contact else "",
                _badge(
                    "warn",
                    _("Paused until %(date)s")
                    % {"date": formats.date_format(c.paused_until, "SHORT_DATE_FORMAT")},
                )
                if c.paused_until and c.paused_until >= today
                else "",
                bounced if c.email_bounced else "",
                # How solicited by the whole agency (relance.followups.services.pressure).
                _badge("warn pressure", pressure[c.pk]) if pressure and c.pk in pressure else "",
            )
        )
        select = ""
        if selectable:
            label = _("Select %(name)s") % {"name": c.full_name}
            select = (
                f'<td class="select"><input type="checkbox" name="ids" value="{c.pk}"'
                f' aria-label="{esc(label)}"></td>'
            )
        if c.outlet_id:
            show = f'<div class="small muted">{esc(c.show_name)}</div>' if c.show_name else ""
            outlet = f'<a href="{outlet_url}{c.outlet_id}/">{esc(c.outlet_name)}</a>{show}'
        else:
            outlet = no_outlet
        reach = ""
        if email:
            reach += f'<div><a href="mailto:{esc(email)}">{esc(email)}</a></div>'
        if number:
            reach += (
                f'<div><a href="tel:{esc(number)}" title="{esc(phone_intl(number))}">'
                f"{esc(phone(number))}</a></div>"
            )
        known_by = "".join(
            f'<div class="small">{esc(name)} {strengths[max(0, min(3, strength))]}</div>'
            for name, strength in c.known_by
        )
        beats = "".join(f'<span class="badge">{esc(name)}</span>' for name in c.beats)
        title = f'<div class="small muted">{esc(c.title)}</div>' if c.title else ""
        updated = formats.date_format(timezone.localtime(c.updated_at), "SHORT_DATE_FORMAT")
        rows.append(
            f'<tr data-contact="{c.pk}">{select}<td><a href="{contact_url}{c.pk}/"'
            f' class="contact-name">{esc(c.full_name)}</a>{title}<div class="flags">{flags}</div>'
            f"</td><td>{esc(roles.get(c.role, c.role))}</td><td>{outlet}</td><td>{beats}</td>"
            f'<td class="reach">{reach}</td><td>{esc(languages.get(c.language, c.language))}</td>'
            f'<td>{known_by}</td><td class="small">{esc(updated)}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # every value above went through esc()

"""The audit trail page: who changed what, when, filtered and paged.

Directors and managers only (Cap.VIEW_AUDIT): entries name contacts, clients
and colleagues, and say who exported or erased personal data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relance.accounts.models import User
from relance.accounts.permissions import Cap, require
from relance.audit.models import AuditEntry

PAGE_SIZE = 50

# Readable names for the actions services record ("Marc created contact X").
# An action missing here is still shown and filterable, under its code. The
# context keeps "opted out" (an action) apart from the field label.
ACTION_LABELS = {
    "create": pgettext_lazy("audit action", "created"),
    "update": pgettext_lazy("audit action", "changed"),
    "delete": pgettext_lazy("audit action", "deleted"),
    "members_added": pgettext_lazy("audit action", "added members to"),
    "members_removed": pgettext_lazy("audit action", "removed members from"),
    "opt_out": pgettext_lazy("audit action", "opted out"),
    "opt_in": pgettext_lazy("audit action", "opted back in"),
    "invitation_sent": pgettext_lazy("audit action", "sent an invitation to"),
    "relationship_set": pgettext_lazy("audit action", "set a relationship with"),
    "relationship_removed": pgettext_lazy("audit action", "removed a relationship with"),
    "personal_data_export": pgettext_lazy("audit action", "exported the personal data of"),
    "erase": pgettext_lazy("audit action", "erased the personal data of"),
    "profile_update": pgettext_lazy("audit action", "updated the profile of"),
    "password_change": pgettext_lazy("audit action", "changed the password of"),
    "password_reset": pgettext_lazy("audit action", "reset the password of"),
    "import": pgettext_lazy("audit action", "imported"),
    "export": pgettext_lazy("audit action", "exported"),
    "api_token_created": pgettext_lazy("audit action", "created an API token for"),
    "api_token_revoked": pgettext_lazy("audit action", "revoked an API token of"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action.replace("_", " ")))


def _model_for(target_type: str):
    for model in apps.get_models():
        if model._meta.model_name == target_type:
            return model
    return None


def target_type_label(target_type: str) -> str:
    model = _model_for(target_type)
    return str(model._meta.verbose_name) if model else target_type.replace("_", " ")


def _field_label(model, name: str) -> str:
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            pass
    return name.replace("_", " ")


def _text(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


def describe_changes(entry: AuditEntry) -> list[dict[str, str]]:
    """[{"field", "old", "new"}] for updates ({"field": [old, new]}), or
    [{"field", "value"}] for summaries ({"count": 12})."""
    model = _model_for(entry.target_type)
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    # Only updates carry [old, new] pairs (audit.services.diff); elsewhere a
    # two-item list is just a value.
    is_update = entry.action.endswith("update")
    rows = []
    for name, value in changes.items():
        label = _field_label(model, name)
        if is_update and isinstance(value, list) and len(value) == 2:
            rows.append({"field": label, "old": _text(value[0]), "new": _text(value[1])})
        else:
            rows.append({"field": label, "value": _text(value)})
    return rows


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label=_("Who"),
        queryset=User.objects.order_by("username"),
        required=False,
        empty_label=_("Everyone"),
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    target_type = forms.ChoiceField(label=_("Target"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Two people may share a name; the username tells them apart.
        self.fields["actor"].label_from_instance = lambda u: (
            f"{u.get_full_name()} ({u.username})" if u.get_full_name() else u.username
        )
        entries = AuditEntry.objects.order_by()
        actions = sorted(set(entries.values_list("action", flat=True).distinct()))
        types = sorted(set(entries.values_list("target_type", flat=True).distinct()))
        everything = [("", _("All"))]
        self.fields["action"].choices = everything + [(a, action_label(a)) for a in actions]
        self.fields["target_type"].choices = everything + [
            (t, target_type_label(t)) for t in types if t
        ]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned

    def filter(self, entries):
        if not self.is_valid():
            return entries.none()
        data = self.cleaned_data
        if data["actor"]:
            entries = entries.filter(actor=data["actor"])
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["target_type"]:
            entries = entries.filter(target_type=data["target_type"])
        # Days are the reader's days: midnight in their own time zone.
        zone = timezone.get_current_timezone()
        if data["since"]:
            start = dt.datetime.combine(data["since"], dt.time.min, tzinfo=zone)
            entries = entries.filter(at__gte=start)
        if data["until"]:
            end = dt.datetime.combine(
                data["until"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone
            )
            entries = entries.filter(at__lt=end)
        return entries


@login_required
def audit_log(request):
    require(request.user, Cap.VIEW_AUDIT)
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.select_related("actor")
    if form.is_bound:
        entries = form.filter(entries)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": e,
            "action": action_label(e.action),
            "target_type": target_type_label(e.target_type),
            "changes": describe_changes(e),
        }
        for e in page.object_list
    ]
    context = {"nav": "audit", "form": form, "page": page, "rows": rows}
    # htmx filtering and paging swap only the results; the URL keeps the state.
    template = "audit/audit_log.html#results" if request.htmx else "audit/audit_log.html"
    return render(request, template, context)

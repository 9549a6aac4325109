"""Pages for importing and exporting contacts.

Import: upload -> column mapping with a live preview and the whole-file
check -> "Import" queues the task -> progress page polling the job. Export:
the contacts search (or a list) as CSV, XLSX or vCard. The services do the
work and check permissions; these views read the request and render.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.accounts.permissions import Cap
from relance.contacts import exporting
from relance.contacts.importing import ImportFileError, Table, check, load, resolve_mapping
from relance.contacts.importing.base import cell_text
from relance.contacts.importing.mapping import TARGETS, TARGETS_BY_KEY
from relance.contacts.models import ImportJob, ImportState, MediaList
from relance.contacts.search import ContactFilters
from relance.contacts.views.common import media_view, wants_partial

PREVIEW_ROWS = 10
MB = 1024 * 1024
FULL_CHECK_ROWS = 20_000
SHOWN_PROBLEMS = 500
SHOWN_DUPLICATES = 200


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Contact file (CSV, XLSX or vCard)"))
    on_duplicate = forms.ChoiceField(
        label=gettext_lazy("Contacts already in Relance"),
        choices=[
            ("skip", gettext_lazy("Skip them (keep what Relance has)")),
            ("update", gettext_lazy("Update them with the file's values")),
        ],
        initial="skip",
        widget=forms.RadioSelect,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("This file is %(size)s MB; the largest accepted is %(max)s MB.")
                % {
                    "size": f"{upload.size / MB:.1f}",
                    "max": f"{settings.IMPORT_MAX_BYTES / MB:.0f}",
                }
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


# --- Import ----------------------------------------------------------------------


@media_view(Cap.IMPORT_CONTACTS, methods=("GET", "HEAD", "POST"))
def import_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            table = load(data, upload.name)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            upload.seek(0)
            job = ImportJob(
                created_by_id=request.user.pk,
                filename=os.path.basename(upload.name)[:255],
                format=table.format,
                on_duplicate=form.cleaned_data["on_duplicate"],
                total_rows=len(table),
                mapping=resolve_mapping(table, None),
            )
            job.file.save(os.path.basename(upload.name), upload, save=False)
            job.save()
            _remember(job, table)
            return redirect("contacts:import_mapping", pk=job.pk)
    jobs = ImportJob.objects.filter(created_by_id=request.user.pk).order_by("-created_at")[:10]
    return render(
        request,
        "contacts/import/upload.html",
        {
            "nav": "import",
            "form": form,
            "jobs": jobs,
            "max_mb": settings.IMPORT_MAX_BYTES // MB,
        },
    )


def _job(request: HttpRequest, pk: int) -> ImportJob:
    """The user's own job (directors see every job)."""
    job = get_object_or_404(ImportJob, pk=pk)
    if job.created_by_id != request.user.pk and getattr(request.user, "role", "") != "director":
        raise Http404
    return job


# Tables of recently uploaded files, so re-checking a mapping does not read
# and parse the file again on every change of a select. Small files only.
_TABLES: OrderedDict[int, Table] = OrderedDict()
_CACHE_ROWS = 20_000


def _remember(job: ImportJob, table: Table) -> None:
    if len(table) <= _CACHE_ROWS:
        _TABLES[job.pk] = table
        while len(_TABLES) > 4:
            _TABLES.popitem(last=False)


def _table(job: ImportJob) -> Table:
    table = _TABLES.get(job.pk)
    if table is None:
        with job.file.open("rb") as handle:
            table = load(handle.read(), job.filename, job.format or "auto")
        _remember(job, table)
    return table


def _mapping_from(request: HttpRequest, table: Table, job: ImportJob) -> dict[str, str]:
    mapping = dict(job.mapping or {})
    for i in range(len(table.headers)):
        value = request.POST.get(f"col_{i}")
        if value in TARGETS_BY_KEY:
            mapping[str(i)] = value
    return mapping


def _head(table: Table, rows: int) -> Table:
    return Table(
        format=table.format,
        headers=table.headers,
        rows=table.rows[:rows],
        numbers=table.numbers[:rows],
        lines=table.lines[:rows] if table.lines else None,
        has_header=table.has_header,
        problems=[p for p in table.problems if p.row is None or p.row <= table.numbers[rows - 1]],
    )


def _check_context(request: HttpRequest, job: ImportJob, table: Table) -> dict[str, Any]:
    """The whole-file check (the first rows only for very large files: the
    page must answer quickly; the task checks everything before writing) and
    the preview of the first rows."""
    partial = len(table) > FULL_CHECK_ROWS
    checked = _head(table, FULL_CHECK_ROWS) if partial else table
    plan = check(request.user, checked, job.mapping, job.on_duplicate)
    result = plan.result
    by_row: dict[int | None, dict[str, list[str]]] = {}
    for problem in result.errors:
        by_row.setdefault(problem.row, {}).setdefault(problem.column, []).append(problem.message)
    duplicates = {d.row: d for d in result.duplicates}
    erased = set(result.erased)
    preview = []
    for i in range(min(PREVIEW_ROWS, len(table))):
        number = table.numbers[i]
        problems = by_row.get(number, {})
        cells = [
            {
                "text": cell_text(table.rows[i][c])[:120],
                "problems": problems.get(header, []),
            }
            for c, header in enumerate(table.headers)
        ]
        other = [m for column, ms in problems.items() if column not in table.headers for m in ms]
        status = (
            "error"
            if problems
            else "erased"
            if number in erased
            else "duplicate"
            if number in duplicates
            else "new"
        )
        preview.append(
            {
                "number": number,
                "cells": cells,
                "other": other,
                "status": status,
                "duplicate": duplicates.get(number),
            }
        )
    file_problems = [p for p in result.errors if p.row is None]
    return {
        "result": result,
        "partial_check": FULL_CHECK_ROWS if partial else 0,
        "preview": preview,
        "file_problems": file_problems,
        "row_problems": [p for p in result.errors if p.row is not None][:SHOWN_PROBLEMS],
        "more_problems": max(0, len(result.errors) - len(file_problems) - SHOWN_PROBLEMS),
        "duplicates": result.duplicates[:SHOWN_DUPLICATES],
        "more_duplicates": max(0, len(result.duplicates) - SHOWN_DUPLICATES),
    }


def _columns(table: Table, mapping: dict[str, str]) -> list[dict[str, Any]]:
    columns = []
    for i, header in enumerate(table.headers):
        samples = []
        for r in range(len(table)):
            text = cell_text(table.rows[r][i]).strip()
            if text and text not in samples:
                samples.append(text[:60])
            if len(samples) == 3 or r > 200:
                break
        columns.append(
            {
                "index": i,
                "header": header,
                "target": mapping.get(str(i), "ignore"),
                "samples": samples,
            }
        )
    return columns


def _target_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {"ignore": [], "contact": [], "outlet": []}
    for target in TARGETS:
        groups[target.group].append((target.key, str(target.label)))
    return [
        ("", groups["ignore"]),
        (str(_("Contact")), groups["contact"]),
        (str(_("Outlet (matched by name, or created)")), groups["outlet"]),
    ]


@media_view(Cap.IMPORT_CONTACTS, methods=("GET", "HEAD", "POST"))
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """The mapping screen; a POST (htmx, on each change) saves the mapping and
    answers the preview and check partial."""
    job = _job(request, pk)
    if job.state != ImportState.UPLOADED:
        return redirect("contacts:import_progress", pk=job.pk)
    try:
        table = _table(job)
    except (ImportFileError, OSError) as exc:
        messages.error(request, str(exc))
        return redirect("contacts:import_upload")
    if request.method == "POST":
        job.mapping = _mapping_from(request, table, job)
        if request.POST.get("on_duplicate") in ("skip", "update"):
            job.on_duplicate = request.POST["on_duplicate"]
        job.save(update_fields=["mapping", "on_duplicate"])
    context = {
        "nav": "import",
        "job": job,
        "table": table,
        "columns": _columns(table, job.mapping),
        "groups": _target_groups(),
        **_check_context(request, job, table),
    }
    if request.method == "POST" and wants_partial(request):
        return render(request, "contacts/import/mapping.html#check", context)
    return render(request, "contacts/import/mapping.html", context)


@media_view(Cap.IMPORT_CONTACTS, methods=("POST",))
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the import (the task checks the whole file again, then writes)."""
    job = _job(request, pk)
    if job.state == ImportState.UPLOADED:
        table = _table(job)
        job.mapping = _mapping_from(request, table, job)
        if request.POST.get("on_duplicate") in ("skip", "update"):
            job.on_duplicate = request.POST["on_duplicate"]
        job.save(update_fields=["mapping", "on_duplicate"])
        # Claimed like the task claims it: a double click queues one run.
        with transaction.atomic():
            queued = ImportJob.objects.filter(pk=job.pk, state=ImportState.UPLOADED).update(
                state=ImportState.QUEUED, processed_rows=0
            )
            if queued:
                from relance.contacts.tasks import run_import

                transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return redirect("contacts:import_progress", pk=job.pk)


STALE_AFTER = timedelta(minutes=10)


def _stale(job: ImportJob) -> bool:
    """A running job whose worker stopped giving news (it died, or was
    restarted): the import's transaction was rolled back, nothing written."""
    if job.state != ImportState.RUNNING:
        return False
    at = parse_datetime(str((job.report or {}).get("at") or "")) or job.created_at
    return timezone.now() - at > STALE_AFTER


@media_view(Cap.IMPORT_CONTACTS, methods=("POST",))
def import_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Back to the column mapping after a failed (or stopped) import: the
    file is still there, nothing was written."""
    job = _job(request, pk)
    if job.state == ImportState.FAILED or _stale(job):
        ImportJob.objects.filter(pk=job.pk, state=job.state).update(
            state=ImportState.UPLOADED, report={}, processed_rows=0
        )
        return redirect("contacts:import_mapping", pk=job.pk)
    return redirect("contacts:import_progress", pk=job.pk)


@media_view(Cap.IMPORT_CONTACTS)
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    report = job.report or {}
    errors = report.get("errors", []) if job.state == ImportState.FAILED else []
    context = {
        "nav": "import",
        "job": job,
        "report": report,
        "running": job.state in (ImportState.QUEUED, ImportState.RUNNING) and not _stale(job),
        "stale": _stale(job),
        "can_edit": bool(job.file) and (job.state == ImportState.FAILED or _stale(job)),
        "writing": report.get("phase") == "writing",
        "errors": errors[:SHOWN_PROBLEMS],
        "more_errors": max(0, len(errors) - SHOWN_PROBLEMS),
        "duplicates": report.get("duplicates", [])[:SHOWN_DUPLICATES],
        "contacts_url": reverse("contacts:contact_list"),
    }
    if wants_partial(request):
        return render(request, "contacts/import/progress.html#status", context)
    return render(request, "contacts/import/progress.html", context)


# --- Export ----------------------------------------------------------------------


@media_view(Cap.EXPORT_CONTACTS)
def export(request: HttpRequest) -> HttpResponseBase:
    """Without `format`: the export page (format, opt-outs). With it: the file."""
    params = request.GET
    filters: ContactFilters | None = ContactFilters.from_params(params)
    media_list = None
    list_id = params.get("list", "")
    if list_id.isdigit():
        media_list = MediaList.objects.filter(pk=int(list_id)).first()
        if media_list is None:
            raise Http404
        filters = None
    fmt = params.get("format", "")
    include = params.get("include_opted_out") in ("1", "on", "yes", "true")
    may_include = getattr(request.user, "role", "") in exporting.FULL_EXPORT_ROLES
    if fmt not in exporting.FORMATS:
        query = params.copy()
        query.pop("format", None)
        query.pop("include_opted_out", None)
        return render(
            request,
            "contacts/import/export.html",
            {
                "nav": "contacts",
                "query": query,
                "media_list": media_list,
                "filters": filters,
                "may_include": may_include,
                "formats": [("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("vcf", "vCard")],
            },
        )
    if include and not may_include:
        raise PermissionDenied(_("Only directors and managers may export contacts who opted out."))
    prepared = exporting.prepare_export(
        request.user, fmt, filters=filters, media_list=media_list, include_opted_out=include
    )
    response = StreamingHttpResponse(prepared.chunks(), content_type=prepared.content_type)
    response["Content-Disposition"] = f'attachment; filename="{prepared.filename}"'
    response["X-Export-Count"] = str(prepared.count)
    return response

"""Routes of the import and export pages (namespace `contacts`)."""

from django.urls import path

from relance.contacts.views import imports

urlpatterns = [
    path("contacts/import/", imports.import_upload, name="import_upload"),
    path("contacts/import/<int:pk>/", imports.import_mapping, name="import_mapping"),
    path("contacts/import/<int:pk>/start/", imports.import_start, name="import_start"),
    path("contacts/import/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("contacts/import/<int:pk>/edit/", imports.import_edit, name="import_edit"),
    path("contacts/export/", imports.export, name="export"),
]

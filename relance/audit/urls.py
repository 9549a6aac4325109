"""The audit trail page. Mounted by relance.accounts.urls under /audit/ (no
namespace: the URL name is `audit_log`)."""

from django.urls import path

from relance.audit import views

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
]

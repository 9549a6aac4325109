"""Mounted at /api/v1/ by relance/urls.py."""

from django.urls import path

from relance.api.router import api

urlpatterns = [path("", api.urls)]

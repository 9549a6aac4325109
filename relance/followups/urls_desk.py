"""The call desk: "My calls today", call sheets, outcomes (views_desk)."""

from django.urls import path  # noqa: F401

app_name = "calls"
urlpatterns: list = []

"""A campaign's follow-ups page, check-in, the overview and the policy
settings (views_plan)."""

from django.urls import path  # noqa: F401

app_name = "followups"
urlpatterns: list = []

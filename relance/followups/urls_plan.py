"""A campaign's follow-ups page, check-in, the overview and the policy
settings (views_plan)."""

from django.urls import path

from relance.followups import views_plan

app_name = "followups"
urlpatterns = [
    path("campaigns/<int:pk>/followups/", views_plan.campaign_plan, name="campaign_plan"),
    path(
        "campaigns/<int:pk>/followups/save/",
        views_plan.campaign_plan_save,
        name="campaign_plan_save",
    ),
    path(
        "campaigns/<int:pk>/followups/send/",
        views_plan.campaign_plan_send,
        name="campaign_plan_send",
    ),
    path("campaigns/<int:pk>/checkin/", views_plan.checkin_page, name="checkin"),
    path(
        "campaigns/<int:pk>/checkin/<int:recipient_id>/",
        views_plan.checkin_mark,
        name="checkin_mark",
    ),
    path("followups/overview/", views_plan.overview, name="overview"),
    path("settings/followups/", views_plan.policy_page, name="policy"),
]

"""Coverage pages (views)."""

from django.urls import path

from relance.coverage import views

app_name = "coverage"
urlpatterns = [
    path("coverage/review/", views.review_queue, name="review"),
    path("coverage/review/<int:pk>/", views.review_item, name="review_item"),
    path("coverage/add/", views.add_coverage, name="add"),
    path("coverage/<int:pk>/copy/", views.attachment, name="attachment"),
    path("campaigns/<int:pk>/coverage/", views.campaign_coverage, name="campaign"),
    path("settings/coverage/", views.settings_page, name="settings"),
]

"""Campaign pages, namespaced `campaigns:`."""

from django.urls import path

from relance.campaigns import targeting_views, views

app_name = "campaigns"
urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/delete/", views.campaign_delete, name="campaign_delete"),
    path("campaigns/<int:pk>/targeting/", targeting_views.targeting_page, name="targeting"),
    path(
        "campaigns/<int:pk>/attachments/",
        views.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "campaigns/<int:pk>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "campaigns/<int:pk>/attachments/<int:attachment_id>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
]

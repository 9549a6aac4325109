"""Message and sending pages of a campaign, namespaced `outreach:`."""

from django.urls import path

from relance.outreach import guest_views, public, views

app_name = "outreach"
urlpatterns = [
    path("campaigns/<int:pk>/message/", views.message_edit, name="message_edit"),
    path("campaigns/<int:pk>/message/preview/", views.message_preview, name="message_preview"),
    path("campaigns/<int:pk>/message/test/", views.message_test, name="message_test"),
    path("campaigns/<int:pk>/sending/", views.sending, name="sending"),
    path("campaigns/<int:pk>/sending/send/", views.send, name="send"),
    path("campaigns/<int:pk>/sending/pause/", views.pause, name="pause"),
    path("campaigns/<int:pk>/sending/resume/", views.resume, name="resume"),
    path("campaigns/<int:pk>/sending/requeue/", views.requeue, name="requeue"),
    path("campaigns/<int:pk>/guests/", guest_views.guest_list, name="guests"),
    path(
        "campaigns/<int:pk>/guests/<int:recipient_id>/answer/",
        guest_views.guest_answer,
        name="guest_answer",
    ),
    path(
        "campaigns/<int:pk>/guests/export.<str:fmt>",
        guest_views.guest_export,
        name="guest_export",
    ),
    # The journalist's pages (no account: the link is signed).
    path("p/<str:token>/", public.preferences_page, name="preferences"),
    path("p/<str:token>/unsubscribe/", public.unsubscribe_page, name="unsubscribe"),
    path("p/<str:token>/rsvp/", public.rsvp_page, name="rsvp"),
    path("p/<str:token>/rsvp/event.ics", public.event_ics, name="event_ics"),
    # Tracking: the click redirect and the open pixel (relance.outreach.tracking).
    path("t/c/<str:token>/", public.click, name="click"),
    path("t/o/<str:token>.gif", public.pixel, name="pixel"),
]

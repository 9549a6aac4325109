"""Message and sending pages of a campaign, namespaced `outreach:`."""

from django.urls import path

from relance.outreach import public, views

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
    # The journalist's pages (no account: the link is signed).
    path("p/<str:token>/", public.preferences_page, name="preferences"),
    path("p/<str:token>/unsubscribe/", public.unsubscribe_page, name="unsubscribe"),
]

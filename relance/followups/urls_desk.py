"""The call desk: "My calls today", call sheets, outcomes (views_desk)."""

from django.urls import path

from relance.followups import views_desk

app_name = "calls"
urlpatterns = [
    path("calls/", views_desk.my_calls, name="my_calls"),
    path("calls/<int:pk>/", views_desk.call_sheet, name="call_sheet"),
    path("calls/<int:pk>/claim/", views_desk.claim, name="claim"),
    path("calls/<int:pk>/outcome/", views_desk.outcome, name="outcome"),
    path("calls/<int:pk>/release/", views_desk.release, name="release"),
    path("calls/<int:pk>/send/", views_desk.send, name="send"),
]

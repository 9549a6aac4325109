"""Report pages (views)."""

from django.urls import path

from relance.reports import views

app_name = "reports"
urlpatterns = [
    path("campaigns/<int:pk>/report/", views.campaign_report, name="campaign"),
    path("campaigns/<int:pk>/report.pdf", views.campaign_report_pdf, name="campaign_pdf"),
    path("clients/<int:pk>/report/", views.client_report, name="client"),
]

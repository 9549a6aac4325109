from django.urls import include, path

urlpatterns = [
    path("", include("relance.accounts.urls")),
    path("", include("relance.contacts.urls")),
    path("", include("relance.campaigns.urls")),
    path("", include("relance.outreach.urls")),
    path("", include("relance.followups.urls_desk")),
    path("", include("relance.followups.urls_plan")),
    path("", include("relance.coverage.urls")),
    path("", include("relance.reports.urls")),
    path("api/v1/", include("relance.api.urls")),
]

from django.urls import include, path

urlpatterns = [
    path("", include("relance.accounts.urls")),
    path("", include("relance.contacts.urls")),
    path("", include("relance.campaigns.urls")),
    path("", include("relance.outreach.urls")),
    path("api/v1/", include("relance.api.urls")),
]

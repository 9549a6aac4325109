from django.contrib.auth import views as auth_views
from django.urls import include, path

from relance.accounts import views, views_agency, views_team

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("profile/", views.profile, name="profile"),
    path("profile/password/", views.PasswordChangeView.as_view(), name="password_change"),
    # Replaces django.conf.urls.i18n: same name, and the choice is also saved
    # on the signed-in user.
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("audit/", include("relance.audit.urls")),
    # The team (directors manage it) and the agency's clients.
    path("team/", views_team.team, name="team"),
    path("team/new/", views_team.team_create, name="team_create"),
    path("team/<int:pk>/", views_team.team_edit, name="team_edit"),
    path("team/<int:pk>/deactivate/", views_team.team_deactivate, name="team_deactivate"),
    path("team/<int:pk>/reactivate/", views_team.team_reactivate, name="team_reactivate"),
    path("team/<int:pk>/invite/", views_team.team_invite, name="team_invite"),
    path("settings/", views_agency.agency_settings, name="agency_settings"),
    path("clients/", views_team.client_list, name="client_list"),
    path("clients/new/", views_team.client_create, name="client_create"),
    path("clients/<int:pk>/", views_team.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", views_team.client_edit, name="client_edit"),
    path("clients/<int:pk>/delete/", views_team.client_delete, name="client_delete"),
]

"""Account pages: log in and out, password reset and change, profile, the
language switcher, and the home dashboard."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from relance.accounts.forms import LoginForm, ProfileForm, ResetRequestForm
from relance.accounts.models import Role
from relance.accounts.permissions import Cap, has
from relance.accounts.ratelimit import LOGIN_LIMITER, seconds_until
from relance.audit import services as audit
from relance.audit.models import AuditEntry
from relance.audit.views import action_label, target_type_label

# What the home page lists of each kind: a glance, not a report.
HOME_ITEMS = 8
# Audit entries about the shared media database, which every media role may
# see; the rest (team, profiles, passwords) stays on the audit page.
MEDIA_TARGETS = ("contact", "outlet", "show", "medialist")


def _set_language_cookie(response, language: str) -> None:
    """Keep the login page (and anything seen signed out) in the language the
    person chose last."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class RateLimitedMixin:
    """Answer 429 Too Many Requests, with Retry-After, when a limiter refused
    the form: scripts see a standard status, people see the message."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.retry_at is not None:
            response.status_code = 429
            response["Retry-After"] = str(seconds_until(form.retry_at))
        return response


class LoginView(RateLimitedMixin, auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        _set_language_cookie(response, form.get_user().language)
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # The session is gone; the message travels in the messages cookie.
        messages.info(request, _("You are logged out."))
        return response


class PasswordResetView(RateLimitedMixin, auth_views.PasswordResetView):
    # The form sends the e-mail itself (relance.accounts.emails), with our
    # templates: Django's registration/password_reset_subject.txt would be
    # found before ours under its default names.
    form_class = ResetRequestForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever proved they read the mailbox may try logging in again at once.
        LOGIN_LIMITER.clear(form.user.username)
        audit.record(form.user, "password_reset", form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("profile")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "nav": "profile"}

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(self.request.user, "password_change", self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Switch now, so the confirmation is already in the chosen language.
        translation.activate(user.language)
        messages.success(request, _("Your profile has been saved."))
        response = redirect("profile")
        _set_language_cookie(response, user.language)
        return response
    return render(request, "accounts/profile.html", {"form": form, "nav": "profile"})


@require_POST
def set_language(request):
    """Django's set_language (cookie and redirect), plus, for a signed-in
    user, saving the choice on their account so it follows them to every
    device (the middleware applies User.language on each request)."""
    response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and language != user.language:
        user.language = language
        user.save(update_fields=["language"])
    return response


@login_required
def home(request):
    user = request.user
    if user.role == Role.CLIENT_VIEWER or not has(user, Cap.VIEW_MEDIA):
        # Client viewers see their own client's work, never the media database.
        return render(request, "accounts/home_client.html", {"nav": "home", "client": user.client})
    return render(request, "accounts/home.html", {"nav": "home", **_media_dashboard(user)})


def _media_dashboard(user) -> dict:
    """A fixed handful of queries, whatever the size of the database: three
    counts and three short lists."""
    from relance.contacts.models import Contact, MediaList, Outlet, Relationship

    live = Contact.objects.filter(erased_at__isnull=True)
    my_contacts = list(
        Relationship.objects.filter(user=user, strength__gte=2, contact__erased_at__isnull=True)
        .select_related("contact__outlet")
        .order_by("-strength", "-updated_at", "pk")[:HOME_ITEMS]
    )
    recent_contacts = list(
        live.select_related("outlet").order_by("-updated_at", "-pk")[:HOME_ITEMS]
    )
    can_audit = has(user, Cap.VIEW_AUDIT)
    entries = AuditEntry.objects.select_related("actor")
    if not can_audit:
        entries = entries.filter(target_type__in=MEDIA_TARGETS)
    activity = [
        {
            "entry": e,
            "action": action_label(e.action),
            "target_type": target_type_label(e.target_type),
        }
        for e in entries[:HOME_ITEMS]
    ]
    return {
        "counts": {
            "contacts": live.count(),
            "outlets": Outlet.objects.count(),
            "lists": MediaList.objects.count(),
        },
        "my_contacts": my_contacts,
        "recent_contacts": recent_contacts,
        "activity": activity,
        "can_audit": can_audit,
    }

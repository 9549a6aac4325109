"""The agency, its team (users with roles), its clients, and API tokens.

One Relance installation serves one agency (or one in-house team): the media
database is the agency's shared asset, and clients are the boundary inside it
(a client viewer sees only their own client's work).
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DIRECTOR = "director", _("Agency director")
    MANAGER = "manager", _("Account manager")
    PRESS_OFFICER = "press_officer", _("Press officer")
    INTERN = "intern", _("Intern")
    COMMUNITY_MANAGER = "community_manager", _("Community manager")
    CLIENT_VIEWER = "client_viewer", _("Client viewer")


class Language(models.TextChoices):
    FR = "fr", _("French")
    EN = "en", _("English")


color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1d4ed8."))


class Agency(models.Model):
    """The organisation running this installation (a single row)."""

    name = models.CharField(_("name"), max_length=200)
    primary_color = models.CharField(
        _("primary colour"), max_length=7, default="#1d4ed8", validators=[color_validator]
    )
    default_language = models.CharField(
        _("default language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    # Some journalists and some clients object to tracking: the agency may
    # switch off the open pixel, and the click redirects, for every message.
    track_opens = models.BooleanField(_("count opens (tracking pixel)"), default=True)
    track_clicks = models.BooleanField(_("count clicks (redirected links)"), default=True)
    # On the cover of the reports. Kept in the database (at most 512 KB):
    # reports embed it, so the page, the PDF and the client portal need no
    # file served apart.
    logo = models.BinaryField(_("logo"), blank=True, default=b"")
    logo_type = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    @property
    def logo_data_uri(self) -> str:
        if not self.logo:
            return ""
        return f"data:{self.logo_type};base64,{base64.b64encode(bytes(self.logo)).decode()}"

    @classmethod
    def current(cls) -> Agency:
        agency = cls.objects.order_by("id").first()
        if agency is None:
            agency = cls.objects.create(name="Relance")
        return agency


class Client(models.Model):
    """A client (annonceur) of the agency: campaigns and reports belong to one."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    primary_color = models.CharField(
        _("colour"), max_length=7, blank=True, validators=[color_validator]
    )
    # Names coverage monitoring looks for besides the client's own, and the
    # competitors whose mentions give the share of voice (docs/coverage.md).
    brands = models.JSONField(_("brands and products"), default=list, blank=True)
    competitors = models.JSONField(_("competitors"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.PRESS_OFFICER
    )
    # How many follow-up calls this person can make in a working day; the
    # planner keeps each caller's day within it.
    daily_call_capacity = models.PositiveSmallIntegerField(
        _("daily call capacity"), default=25, validators=[MaxValueValidator(200)]
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Only for client viewers: the one client whose work they may see.
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="viewers",
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a SHA-256 digest is stored: the
    token itself is shown once, when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple[ApiToken, str]:
        token = "rl_" + secrets.token_urlsafe(32)
        row = cls.objects.create(user=user, name=name, prefix=token[:8], digest=cls.hash(token))
        return row, token


class LoginFailure(models.Model):
    """One failed login. Counted per username and per address to slow down
    password guessing; kept in the database so every web process sees them."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

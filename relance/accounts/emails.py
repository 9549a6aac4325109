"""E-mails to team members: password links (reset and invitation).

Both carry a one-time link to the `password_reset_confirm` page built on
RELANCE_BASE_URL (never the request's Host header, which a client can forge)
and are written in the recipient's language, whoever triggered them.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from relance.accounts.models import User

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return settings.BASE_URL.rstrip("/") + path


def send_password_link(
    user: User,
    *,
    subject_template: str,
    text_template: str,
    html_template: str,
    extra_context: dict[str, Any] | None = None,
    fail_silently: bool = False,
) -> bool:
    """Send `user` a link to choose a password. Returns False when sending
    failed and `fail_silently` (a reset request must look the same whether
    the address exists or the mail server is down); raises otherwise."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    context = {
        "user": user,
        "uid": uid,
        "token": token,
        "reset_url": absolute_url(path),
        "login_url": absolute_url(reverse("login")),
        "timeout_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
        **(extra_context or {}),
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = "".join(loader.render_to_string(subject_template, context).splitlines())
        message = EmailMultiAlternatives(
            subject, loader.render_to_string(text_template, context), None, [user.email]
        )
        message.attach_alternative(loader.render_to_string(html_template, context), "text/html")
    try:
        message.send()
    except Exception:
        if not fail_silently:
            raise
        logger.exception("Failed to send a password e-mail to user %s", user.pk)
        return False
    return True

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "relance.outreach"
    label = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        # Registers the outreach events on the contact's timeline.
        from relance.outreach import history  # noqa: F401

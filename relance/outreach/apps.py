from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "relance.outreach"
    label = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from relance.contacts import signals
        from relance.outreach import privacy

        signals.personal_data_requested.connect(privacy.export_sections, dispatch_uid="outreach")
        signals.person_erased.connect(privacy.erase, dispatch_uid="outreach")

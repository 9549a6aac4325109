from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "relance.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from relance.campaigns import privacy
        from relance.contacts import signals

        signals.personal_data_requested.connect(privacy.export_sections, dispatch_uid="campaigns")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "relance.interactions"
    label = "interactions"
    verbose_name = _("Interactions")

    def ready(self) -> None:
        # Interactions are the contact's exchanges on the timeline, in the
        # personal-data export, and blanked by an erasure.
        from relance.contacts import signals
        from relance.interactions import history, privacy  # noqa: F401

        signals.personal_data_requested.connect(
            privacy.export_sections, dispatch_uid="interactions"
        )
        signals.person_erased.connect(privacy.erase, dispatch_uid="interactions")

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "relance.contacts"
    label = "contacts"
    verbose_name = _("Media database")

    def ready(self) -> None:
        from relance.contacts import sortrank

        # The SQLite full-text triggers call the name rank (sortrank.py).
        connection_created.connect(sortrank.on_connection_created, dispatch_uid="sort_rank")

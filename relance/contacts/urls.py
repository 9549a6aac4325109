"""URLs of the media database pages, namespaced `contacts:`. Each area keeps
its routes next to its views."""

from relance.contacts.views import urls_import, urls_media

app_name = "contacts"
urlpatterns = urls_media.urlpatterns + urls_import.urlpatterns

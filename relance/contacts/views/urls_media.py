"""Routes of the media database pages (contacts, outlets, shows, lists),
in the `contacts` namespace at the site root."""

from django.urls import path

from relance.contacts.views import contact_pages, contacts, gdpr, lists, outlets

urlpatterns = [
    # Contacts
    path("contacts/", contacts.contact_list, name="contact_list"),
    path("contacts/bulk/", contacts.contact_bulk, name="contact_bulk"),
    path("contacts/new/", contact_pages.contact_create, name="contact_create"),
    path("contacts/<int:pk>/", contact_pages.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", contact_pages.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", contact_pages.contact_delete, name="contact_delete"),
    path("contacts/<int:pk>/flag/", contact_pages.contact_flag, name="contact_flag"),
    path(
        "contacts/<int:pk>/relationships/",
        contact_pages.relationship_set,
        name="relationship_set",
    ),
    path(
        "contacts/<int:pk>/relationships/<int:user_id>/remove/",
        contact_pages.relationship_remove,
        name="relationship_remove",
    ),
    path("contacts/<int:pk>/personal-data/", gdpr.export_person, name="contact_export_person"),
    path("contacts/<int:pk>/erase/", gdpr.erase_person, name="contact_erase"),
    # Helpers of the contact form (htmx fragments)
    path("contacts/outlet-choices/", contact_pages.outlet_choices, name="outlet_choices"),
    path("contacts/show-choices/", contact_pages.show_choices, name="show_choices"),
    # Outlets and shows
    path("outlets/", outlets.outlet_list, name="outlet_list"),
    path("outlets/new/", outlets.outlet_create, name="outlet_create"),
    path("outlets/<int:pk>/", outlets.outlet_detail, name="outlet_detail"),
    path("outlets/<int:pk>/edit/", outlets.outlet_edit, name="outlet_edit"),
    path("outlets/<int:pk>/delete/", outlets.outlet_delete, name="outlet_delete"),
    path("outlets/<int:pk>/shows/new/", outlets.show_create, name="show_create"),
    path("shows/<int:pk>/edit/", outlets.show_edit, name="show_edit"),
    path("shows/<int:pk>/delete/", outlets.show_delete, name="show_delete"),
    # Media lists
    path("lists/", lists.list_index, name="list_index"),
    path("lists/new/", lists.list_create, name="list_create"),
    path("lists/<int:pk>/", lists.list_detail, name="list_detail"),
    path("lists/<int:pk>/edit/", lists.list_edit, name="list_edit"),
    path("lists/<int:pk>/delete/", lists.list_delete, name="list_delete"),
    path("lists/<int:pk>/remove/", lists.list_remove_members, name="list_remove_members"),
]

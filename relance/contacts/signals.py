"""What other apps hold about one person, asked for by the GDPR services.

The media database does not know which apps keep data about a contact
(campaign messages, replies, calls later on); each of them answers these
signals, so an export shows everything and an erasure removes everything.
"""

from django.dispatch import Signal

# Sent with `contact`; each receiver returns a dict of sections for the
# export ({"campaign_messages": [...]}), JSON-serialisable.
personal_data_requested = Signal()

# Sent with `contact_id`, inside the erasure's transaction; each receiver
# removes or blanks what identifies the person and keeps anonymous counts.
person_erased = Signal()

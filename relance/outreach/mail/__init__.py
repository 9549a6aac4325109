"""Parsing and classification of inbound campaign mail.

A pure library: raw message bytes in, a frozen `InboundMail` out, no
database. `relance ingest-mail` reads the mailbox, calls `classify_message`
and matches the result to the outbox.
"""

from relance.outreach.mail.classify import Failure, InboundMail, classify_message

__all__ = ["Failure", "InboundMail", "classify_message"]

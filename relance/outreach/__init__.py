"""Outreach: templates, outbox, sending, tracking, bounces and replies."""

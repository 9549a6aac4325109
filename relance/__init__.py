"""Relance: an open-source media-relations workspace."""

__version__ = "0.1.0"

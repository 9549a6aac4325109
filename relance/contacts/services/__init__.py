"""Writes to the media database. Views, API, CLI and tasks all call these."""

"""`relance create-api-token USERNAME [--name NAME]`: print a new API token.

Only the token's SHA-256 digest is stored, so this is the one moment the
token can be read: the command prints it alone on stdout, for scripts
(`TOKEN=$(relance create-api-token marc)`).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relance.accounts.models import ApiToken, User
from relance.audit import services as audit


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--name", default="", help="What the token is for (“CRM sync”), up to 100 characters."
        )

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called “{username}”.")
        if not user.is_active:
            raise CommandError(
                f"The account “{username}” is deactivated: its tokens would not work."
            )
        if len(name) > 100:
            raise CommandError("--name is too long: at most 100 characters.")
        row, token = ApiToken.issue(user, name=name.strip())
        # Issued from a shell by whoever runs the server: no acting user.
        audit.record(
            None, "api_token_created", user, changes={"prefix": row.prefix, "name": row.name}
        )
        self.stdout.write(token)
        self.stderr.write(
            f"API token {row.prefix}… for {user.username}: keep it safe, it is not shown again."
        )

"""The `relance` console script.

`relance import-contacts …` runs the `import_contacts` management command:
the public contract uses dashes, Django's commands use underscores; every
other Django command (`migrate`, `db_worker`, `createsuperuser`) passes
through unchanged.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from relance.lib.env import SettingError

    try:
        from django.core.management import execute_from_command_line

        argv[0] = "relance"
        execute_from_command_line(argv)
    except SettingError as exc:
        sys.stderr.write(f"relance: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()

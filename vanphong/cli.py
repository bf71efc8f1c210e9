"""The ``vanphong`` console command: a thin wrapper around Django's manage.py.

``vanphong org stats`` is ``manage.py org stats``; every project command is a management command so that the
same interface works through ``python manage.py`` and through the installed script.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        execute_from_command_line(["vanphong", *args])
    except SystemExit as exc:  # commands signal their verdict through the exit code
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

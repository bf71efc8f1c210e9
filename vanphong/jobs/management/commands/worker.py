"""``vanphong worker``: run background jobs with the django-tasks-db database worker.

A thin wrapper around ``db_worker`` that refuses to start when ``TASKS`` does not use the database backend
(with the immediate backend jobs already ran inline; with anything else this worker would wait forever).
Examples: ``vanphong worker`` (serve forever), ``vanphong worker --batch`` (run what is queued, then exit).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

DB_BACKEND = "django_tasks_db.DatabaseBackend"


class Command(BaseCommand):
    help = "Run background jobs from the database queue (django-tasks-db worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run every queued job, then exit.")
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after running this many jobs.")
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait between polls when the queue is empty (default 1).",
        )
        parser.add_argument(
            "--queue-name", default="default", help="Queues to serve, comma-separated, or '*'."
        )
        parser.add_argument(
            "--backend", default="default", help="Alias in settings.TASKS (default 'default')."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["backend"]
        backend = settings.TASKS.get(alias, {}).get("BACKEND", "")
        if backend != DB_BACKEND:
            raise CommandError(
                f"TASKS[{alias!r}] uses {backend or 'nothing'!r}; the worker needs {DB_BACKEND!r}."
            )
        worker_options: dict[str, Any] = {
            "batch": options["batch"],
            "interval": options["interval"],
            "queue_name": options["queue_name"],
            "backend_name": alias,
            "reload": False,
            "startup_delay": not options["batch"],
            "verbosity": options["verbosity"],
            "stdout": self.stdout,
            "stderr": self.stderr,
        }
        if options["max_tasks"] is not None:
            worker_options["max_tasks"] = options["max_tasks"]
        call_command("db_worker", **worker_options)

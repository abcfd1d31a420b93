"""Start Django from the CLI: settings, database schema, and the one-off set-up commands need it."""

from __future__ import annotations

import os


def django_setup(*, migrate: bool = False) -> None:
    """Configure Django for this process; with `migrate`, bring the database schema up to date."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contractkit.web.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)

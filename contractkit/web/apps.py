"""The Django application config."""

from __future__ import annotations

from django.apps import AppConfig


class ContractkitWebConfig(AppConfig):
    name = "contractkit.web"
    label = "ckweb"
    verbose_name = "contractkit"
    default_auto_field = "django.db.models.BigAutoField"

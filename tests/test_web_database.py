"""The web tests run on the database they were asked for: SQLite, or PostgreSQL with --postgres."""

from __future__ import annotations

import pgserver
import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_database_is_the_one_asked_for(request: pytest.FixtureRequest) -> None:
    expected = "postgresql" if pgserver.wanted(bool(request.config.getoption("--postgres"))) else "sqlite"
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)

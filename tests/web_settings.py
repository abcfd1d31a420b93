"""Django settings for the test run: the app's own, with a throwaway data folder and fast hashing."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("CONTRACTKIT_DATA_DIR", tempfile.mkdtemp(prefix="contractkit-web-test-"))

from contractkit.web.settings import *  # noqa: F403

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production keeps PBKDF2
CONTRACTKIT_PDF_CONVERTERS = 0  # PDFs by cold soffice, unless a test starts a pool (tests/test_pool.py)

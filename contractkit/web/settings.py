"""Django settings, from the environment (see docs/web.md).

CONTRACTKIT_DATA_DIR      folder for the SQLite database and the secret key
                          (default: $XDG_DATA_HOME/contractkit, else ~/.local/share/contractkit)
CONTRACTKIT_DATABASE_URL  a PostgreSQL URL (postgres://user:pass@host:port/name) instead of SQLite
CONTRACTKIT_ALLOWED_HOSTS comma-separated host names the server answers (default: 127.0.0.1,localhost)
CONTRACTKIT_HTTPS         1 when served behind HTTPS: HSTS and HTTPS-only redirects
CONTRACTKIT_DEBUG         1 for Django's debug pages (never on a shared server)
CONTRACTKIT_PDF_CONVERTERS warm LibreOffice converters for PDF downloads (default: one per core;
                          0: start LibreOffice for each PDF); see docs/pdf.md
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


def data_dir() -> Path:
    """Where the database and the secret key live; created private (0700) on first use."""
    configured = os.environ.get("CONTRACTKIT_DATA_DIR")
    if configured:
        path = Path(configured)
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "contractkit"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _secret_key(folder: Path) -> str:
    """A random key made once per installation and kept in the data folder, readable by its owner only."""
    path = folder / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _database(folder: Path) -> dict[str, Any]:
    url = os.environ.get("CONTRACTKIT_DATABASE_URL")
    if url:
        import dj_database_url

        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
        config["ATOMIC_REQUESTS"] = True
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": folder / "contractkit.sqlite3",
        "ATOMIC_REQUESTS": True,
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        },
    }


def _converters() -> int | None:
    """Warm LibreOffice converters for PDF downloads: None for one per core, 0 for none."""
    value = os.environ.get("CONTRACTKIT_PDF_CONVERTERS", "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) > 16:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("CONTRACTKIT_PDF_CONVERTERS must be a whole number from 0 (no pool) to 16")
    return int(value)


DATA_DIR = data_dir()
BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = _secret_key(DATA_DIR)
DEBUG = os.environ.get("CONTRACTKIT_DEBUG") == "1"
HTTPS = os.environ.get("CONTRACTKIT_HTTPS") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("CONTRACTKIT_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "contractkit.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "contractkit.web.urls"
WSGI_APPLICATION = "contractkit.web.wsgi.application"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": _database(DATA_DIR)}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files (CSS, the vendored htmx) are served by WhiteNoise straight from the package: there is
# no collectstatic step, so the app runs from a wheel or a checkout alike.
STATIC_URL = "static/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_MAX_AGE = 3600

# Uploads: a deal file is a few kilobytes; a file past CONTRACTKIT_MAX_UPLOAD is skipped as it
# arrives (never stored whole) and refused in words; other request bodies past 1 MB get a 400 page.
CONTRACTKIT_MAX_UPLOAD = 256 * 1024
CONTRACTKIT_PDF_CONVERTERS = _converters()
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_HANDLERS = [
    "contractkit.web.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Sessions and cookies: HTTP-only, same-site, short-lived; Secure wherever the browser allows it.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = True  # browsers accept Secure cookies from http://127.0.0.1 and localhost too
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0

# Login throttling (django-axes): five failures lock the username from that address for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "ckweb/locked_out.html"
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": "WARNING"},
        "axes": {"handlers": ["stderr"], "level": "WARNING"},
    },
}

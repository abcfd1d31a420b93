"""Fixed labels for registers, summaries and schedule tables, from babel gettext catalogues
(contractkit/locale/).

Labels are looked up by key (e.g. 'field.agreement_id'); the en_GB and cy_GB catalogues hold the
English and Welsh wording, so no label text lives in code. Deal text is never translated here.
The catalogues' template is built by publishing.catalogue.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from contractkit.errors import ContractkitError

DOMAIN = "contractkit"
LOCALES = ("en_GB", "cy_GB")
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"  # contractkit/locale
CATALOGUE_HINT = "see docs/register.md, 'Message catalogues'"


def N_(key: str) -> str:
    """Mark a key for extraction by `pybabel extract -k N_` without translating it yet."""
    return key


class Labels:
    """Catalogue look-ups for one locale: `labels('key', name=value)` formats the message."""

    def __init__(self, locale: str, translations: Any) -> None:
        self.locale = locale
        self._translations = translations

    def __call__(self, key: str, **values: object) -> str:
        text: str = self._translations.gettext(key)
        if text == key:  # never print a bare key: a missing label is a bug, caught by the tests
            raise ContractkitError(f"message catalogue {self.locale} has no label {key!r}", hint=CATALOGUE_HINT)
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        """True when the catalogue translates `key` (gettext returns the key itself otherwise)."""
        return bool(self._translations.gettext(key) != key)

    def missing(self, keys: Iterable[str]) -> list[str]:
        return [k for k in keys if not self.has(k)]


@functools.cache
def labels(locale: str) -> Labels:
    """The compiled catalogue for `locale`; an unknown locale or a missing .mo is an error."""
    from babel.support import Translations

    if locale not in LOCALES:
        raise ContractkitError(f"unsupported locale {locale!r} (supported: {', '.join(LOCALES)})")
    mo = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.is_file():
        raise ContractkitError(f"{mo}: message catalogue is missing", hint=CATALOGUE_HINT)
    with mo.open("rb") as handle:
        return Labels(locale, Translations(handle, domain=DOMAIN))


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"

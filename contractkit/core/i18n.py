"""Fixed labels for registers and summaries, from babel gettext catalogues (contractkit/locale/).

Labels are looked up by key (e.g. 'field.agreement_id'); the en_GB and cy_GB catalogues hold the
English and Welsh wording, so no label text lives in code. Deal text is never translated here.
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


SOURCES = (
    "drafting/register_entry.py",
    "publishing/register.py",
    "publishing/register_xlsx.py",
    "publishing/summary.py",
)
KEYWORDS = {"t": None, "text": None, "N_": None}  # look-up functions whose first argument is a key


def dynamic_keys() -> dict[str, str]:
    """Keys built at run time, with where they come from: schema fields, principles, coded values."""
    from typing import get_args

    from contractkit.library import model
    from contractkit.publishing.register import schema

    keys = {f"field.{name}": "a register field" for name in _properties(schema())}
    keys |= {f"principle.{p}": "a principle" for p in model.PRINCIPLES}
    coded: list[Any] = [
        model.ValueShareModel,
        model.AccessModel,
        model.Identifiability,
        model.Data.model_fields["national_data_opt_out"].annotation,
        model.Approval.model_fields["status"].annotation,
    ]
    keys |= {f"code.{v}": "a coded value" for kind in coded for v in get_args(kind)}
    keys |= {"code.draft": "register status", "code.agreed": "register status"}
    periods = get_args(model.ValueShare.model_fields["subscription_period"].annotation)
    keys |= {f"period.{p}": "a subscription period" for p in periods}
    return keys


def _properties(node: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key, sub in node.get("properties", {}).items():
        out += [key, *_properties(sub), *_properties(sub.get("items", {}))]
    return list(dict.fromkeys(out))


def template() -> Any:
    """The .pot catalogue: keys babel extracts from the code, plus the dynamic keys."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    catalogue = Catalog(project="contractkit", domain=DOMAIN, fuzzy=False)
    package = Path(__file__).resolve().parents[1]  # contractkit/
    for name in SOURCES:
        for line, key, _comments, _context in extract_from_file("python", package / name, keywords=KEYWORDS):
            if isinstance(key, str) and "." in key:
                catalogue.add(key, locations=[(f"contractkit/{name}", line)])
    for key, origin in dynamic_keys().items():
        catalogue.add(key, auto_comments=[f"dynamic key: {origin}"])
    return catalogue


def write_template() -> Path:
    """Regenerate contractkit/locale/contractkit.pot (maintainers; see docs/register.md)."""
    from babel.messages.pofile import write_po

    path = LOCALE_DIR / f"{DOMAIN}.pot"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, template(), sort_output=True, omit_header=False, width=100)
    return path

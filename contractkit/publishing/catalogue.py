"""The message catalogues' template (contractkit/locale/contractkit.pot), for maintainers.

Label keys are extracted by babel from the modules that look labels up, and the keys built at run
time are added: the register schema's fields, the principles and the model's coded values. So the
template knows the register and the model, which is why it lives here and not beside the labels
themselves (core.i18n), which the drafting layer's tables also use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

from contractkit.core.i18n import DOMAIN, LOCALE_DIR
from contractkit.library import deal, model
from contractkit.publishing.register_schema import schema

SOURCES = (
    "drafting/register_entry.py",
    "publishing/register.py",
    "publishing/register_schema.py",
    "publishing/register_xlsx.py",
    "publishing/evidence.py",
    "publishing/summary.py",
)


KEYWORDS = {"t": None, "text": None, "N_": None}  # look-up functions whose first argument is a key


def dynamic_keys() -> dict[str, str]:
    """Keys built at run time, with where they come from: schema fields, principles, coded values."""
    keys = {f"field.{name}": "a register field" for name in _properties(schema())}
    keys |= {f"principle.{p}": "a principle" for p in model.PRINCIPLES}
    coded: list[Any] = [
        model.ValueShareModel,
        model.AccessModel,
        model.Identifiability,
        deal.Data.model_fields["national_data_opt_out"].annotation,
        deal.Approval.model_fields["status"].annotation,
    ]
    keys |= {f"code.{v}": "a coded value" for kind in coded for v in get_args(kind)}
    keys |= {"code.draft": "register status", "code.agreed": "register status"}
    periods = get_args(deal.ValueShare.model_fields["subscription_period"].annotation)
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

"""pydantic's validation errors in words a lawyer can act on: no regular expression, no type name,
no "internal error"; choices listed, near misses suggested."""

from __future__ import annotations

import difflib
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from contractkit.library.shapes import is_placeholder

SLUG_WORDS = "an id: lower-case letters and digits, in words joined by single hyphens, like 'value-share'"
PATTERN_WORDS = {
    r"^[a-z0-9]+(-[a-z0-9]+)*$": SLUG_WORDS,
    r"^\d+\.\d+\.\d+$": "a version: three whole numbers joined by full stops, like 1.2.0",
}
FILL_IN = "contractkit cannot draft until this is filled in"
QUOTE = "put it in quotes so it is kept exactly as written"


def words(err: Any, model: type[BaseModel]) -> tuple[str, str | None]:
    """The message and hint for one pydantic error on `model`."""
    kind, value = err["type"], err.get("input")
    ctx = err.get("ctx") or {}
    if is_placeholder(value):
        return f"not filled in: {value.strip()}", FILL_IN
    if kind in _FIXED:
        found: tuple[str, str | None] = _FIXED[kind](value, ctx, err, model)
        return found
    message = str(err["msg"]).removeprefix("Value error, ")
    if ctx.get("message") == message or kind == "value_error":
        return message, None
    return message + _got(value), None


def _got(value: object) -> str:
    if isinstance(value, (dict, list)) or value is None:
        return ""
    text = repr(value)
    return f" (got {text[:60] + '...' if len(text) > 60 else text})"


def _text(value: object, *_: Any) -> tuple[str, str | None]:
    if value is None:
        return "is empty; fill it in", None
    if isinstance(value, list):
        return "should be text, not a list", "a value that starts with [ must be wholly in quotes"
    if isinstance(value, dict):
        return "should be text, not a group of fields", "a colon followed by a space starts a field: " + QUOTE
    return "should be text" + _got(value), QUOTE


def _choice(value: object, ctx: dict[str, Any], *_: Any) -> tuple[str, str | None]:
    expected = str(ctx.get("expected", "")).replace("'", "")
    options = [o.strip() for o in expected.replace(" or ", ", ").split(",") if o.strip()]
    near = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
    return f"{value!r} is not one of the choices: {expected}", (f"did you mean {near[0]!r}?" if near else None)


def _unknown(value: object, ctx: dict[str, Any], err: Any, model: type[BaseModel]) -> tuple[str, str | None]:
    loc = [p for p in err["loc"] if isinstance(p, (str, int))]
    known = fields_at(model, loc[:-1])
    near = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6) if loc else []
    hint = f"did you mean {near[0]!r}? " if near else "check the spelling; "
    return "unknown field", hint + "docs/formats.md lists every field"


def _missing(value: object, ctx: dict[str, Any], err: Any, model: type[BaseModel]) -> tuple[str, str | None]:
    if model.__name__ == "Deal":
        return "required field is missing", "run 'contractkit new' to see every field with an explanation"
    return "required field is missing", "docs/formats.md lists every field"


def _pattern(value: object, ctx: dict[str, Any], *_: Any) -> tuple[str, str | None]:
    what = PATTERN_WORDS.get(str(ctx.get("pattern")), "in the form docs/formats.md gives for this field")
    return f"should be {what}" + _got(value), None


def _bound(word: str, key: str) -> Any:
    def message(value: object, ctx: dict[str, Any], *_: Any) -> tuple[str, str | None]:
        return f"must be {word} {ctx.get(key)}" + _got(value), None

    return message


def _fixed(message: str, hint: str | None = None) -> Any:
    def fixed(value: object, *_: Any) -> tuple[str, str | None]:
        return message + _got(value), hint

    return fixed


_WHOLE = _fixed("should be a whole number, like 12")
_YES_NO = _fixed("should be yes or no")
_GROUP = _fixed("should be a group of fields, each on its own indented line as 'name: value'")
_FIXED: dict[str, Any] = {
    "missing": _missing,
    "extra_forbidden": _unknown,
    "string_type": _text,
    "string_too_short": lambda *_: ("is empty; fill it in", None),
    "string_too_long": lambda v, ctx, *_: (f"is too long: at most {ctx.get('max_length')} characters", None),
    "string_pattern_mismatch": _pattern,
    "literal_error": _choice,
    "enum": _choice,
    "int_parsing": _WHOLE,
    "int_type": _WHOLE,
    "int_from_float": _WHOLE,
    "bool_parsing": _YES_NO,
    "bool_type": _YES_NO,
    "dict_type": _GROUP,
    "model_type": _GROUP,
    "model_attributes_type": _GROUP,
    "list_type": _fixed("should be a list: put each item on its own line, starting with '- '"),
    "too_short": lambda v, ctx, *_: ("needs at least one entry", None),
    "too_long": lambda v, ctx, *_: (f"has too many entries: at most {ctx.get('max_length')}", None),
    "greater_than_equal": _bound("at least", "ge"),
    "greater_than": _bound("more than", "gt"),
    "less_than_equal": _bound("at most", "le"),
    "less_than": _bound("less than", "lt"),
    "decimal_parsing": _fixed("should be a number, like 2.5"),
    "decimal_type": _fixed("should be a number, like 2.5"),
    "datetime_parsing": _fixed("should be a date and time, like 2027-04-01T09:30:00Z"),
    "datetime_from_date_parsing": _fixed("should be a date and time, like 2027-04-01T09:30:00Z"),
    "datetime_type": _fixed("should be a date and time, like 2027-04-01T09:30:00Z"),
}


def fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The field names of the model found by following `loc` down from `model`."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        current = _submodel(info.annotation) if info else None
    return [f.alias or name for name, f in current.model_fields.items()] if current else []


def _submodel(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for arg in typing.get_args(annotation) if (m := _submodel(arg))), None)

"""Generate docs/formats.md (from the schemas), docs/cli.md (from the click commands) and
docs/templates.md (from contractkit/word/template.py).

    python -m contractkit.cli.docgen formats > docs/formats.md
    python -m contractkit.cli.docgen cli > docs/cli.md
    python -m contractkit.cli.docgen templates > docs/templates.md

tests/test_docs.py and tests/test_template.py fail while a file is out of date, so the docs cannot drift.
"""

from __future__ import annotations

import sys
import typing
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel

from contractkit.library import deal, model
from contractkit.library.exclusivity_rules import RuleSet

INTRO = Path(__file__).with_name("docgen_formats_intro.md")
TEMPLATES_INTRO = Path(__file__).with_name("docgen_templates_intro.md")
FILES: list[tuple[str, type[BaseModel]]] = [
    ("Clause file (`clauses/<id>.yaml`)", model.Clause),
    ("Playbook file (`playbooks/<id>.yaml`)", model.Playbook),
    ("Library file (`library.yaml`)", model.LibraryMeta),
    ("Exclusivity rule file (`exclusivity.yaml`)", RuleSet),
    ("Deal file (`examples/*.yaml`, or your own)", deal.Deal),
]


# Type names in words; each field's description states its form and limits.
PLAIN_TYPES = {
    "str": "text",
    "int": "whole number",
    "bool": "yes or no",
    "date": "date",
    "datetime": "date and time",
    "Decimal": "number",
    "NoneType": "none",
}


def _type_name(annotation: Any) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.__name__
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (list, dict):
        inner = ", ".join(_type_name(a) for a in args)
        return f"{'list' if origin is list else 'map'} of {inner}"
    if args:
        return " or ".join(_type_name(a) for a in args if a is not type(None))
    name = getattr(annotation, "__name__", str(annotation))
    return PLAIN_TYPES.get(name, name)


def _models(root: type[BaseModel], seen: list[type[BaseModel]]) -> list[type[BaseModel]]:
    if root in seen:
        return seen
    seen.append(root)
    for info in root.model_fields.values():
        for arg in _walk(info.annotation):
            _models(arg, seen)
    return seen


def _walk(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _walk(arg)]


def _table(cls: type[BaseModel]) -> list[str]:
    lines = [f"#### {cls.__name__}", ""]
    if cls.__doc__:
        lines += [cls.__doc__.strip().splitlines()[0], ""]
    lines += ["| field | type | required | meaning |", "|---|---|---|---|"]
    for name, info in cls.model_fields.items():
        required = "yes" if info.is_required() else "no"
        lines.append(
            f"| `{info.alias or name}` | {_type_name(info.annotation)} | {required} | {info.description or ''} |"
        )
    return [*lines, ""]


def formats_markdown() -> str:
    out = [INTRO.read_text(encoding="utf-8").rstrip(), "", *_template_section()]
    for title, root in FILES:
        out += [f"## {title}", ""]
        for cls in _models(root, []):
            out += _table(cls)
    return "\n".join(out).rstrip() + "\n"


def _template_section() -> list[str]:
    """A pointer to docs/templates.md, which lists what a template may use and must contain."""
    return [
        "## Word templates (`templates/*.docx`)",
        "",
        "A template is a Word document that the centre edits in Word. What it may use (variables and",
        "their fields) and what it must keep (markers, styles, numbered lists) is in",
        "[templates.md](templates.md).",
        "",
    ]


def templates_markdown() -> str:
    """docs/templates.md: the prose on editing in Word, then the variables, markers, styles and lists."""
    from contractkit.word.template import LISTS, PARAGRAPH_STYLES, TABLE_STYLES, VARIABLES

    out = [TEMPLATES_INTRO.read_text(encoding="utf-8").rstrip(), "", "## Variables", ""]
    out += ["| variable | meaning | fields |", "|---|---|---|"]
    for v in VARIABLES:
        if v.marker:
            continue
        use = f"`{{{{ {v.name}.<field> }}}}`" if v.fields else f"`{{{{ {v.name} }}}}`"
        use = f"`{{%p for {v.item} in {v.name} %}}` ... `{{%p endfor %}}`" if v.item else use
        fields = "<br>".join(f"`{v.item or v.name}.{f}`: {m}" for f, m in v.fields) or f"`{{{{ {v.item} }}}}`"
        out.append(f"| `{v.name}` | {v.meaning} Use: {use} | {fields if v.fields or v.item else ''} |")
    out += ["", "## Markers", "", "Each stands alone in a paragraph of its own, once, in the body.", ""]
    out += ["| marker | drafting puts here |", "|---|---|"]
    out += [f"| `{{{{ {v.name} }}}}` | {v.marker} |" for v in VARIABLES if v.marker]
    out += ["", "## Styles", "", f"- Paragraph styles: {', '.join(f'`{s}`' for s in PARAGRAPH_STYLES)}."]
    out += [f"- Table styles: {', '.join(f'`{s}`' for s in TABLE_STYLES)}.", ""]
    out += ["## Numbered lists", ""]
    out += [
        f"- `{base} 1` to `{base} 4` are levels 1 to 4 of one multilevel list, the {what} list "
        "(`1.`, `1.1`, `1.1.1`, `(a)`)."
        for base, what in LISTS.items()
    ]
    out += ["- The clause list and the schedule list are different lists: each schedule restarts its own at 1."]
    return "\n".join(out).rstrip() + "\n"


def cli_markdown(group: click.Group) -> str:
    out = [
        "# Command-line reference",
        "",
        "Generated from the commands themselves by `python -m contractkit.cli.docgen cli`.",
        "",
        "Exit codes: 0 success; 1 error (one located line per problem on stderr); 2 usage;",
        "3 the document does not comply (`verify`). See [errors.md](errors.md).",
        "",
    ]
    settings = {**group.context_settings, "terminal_width": 100, "max_content_width": 100}
    root = click.Context(group, info_name="contractkit", **settings)
    for name, ctx in [("contractkit", root), *_commands(root)]:
        out += [f"## {name}", "", "```text", ctx.command.get_help(ctx), "```", ""]
    return "\n".join(out).rstrip() + "\n"


def _commands(parent: click.Context) -> list[tuple[str, click.Context]]:
    """Every command under `parent`, depth first, each with its own context (for its usage line)."""
    group = parent.command
    if not isinstance(group, click.Group):
        return []
    found: list[tuple[str, click.Context]] = []
    for name in sorted(group.list_commands(parent)):
        command = group.get_command(parent, name)
        if command is None:
            continue
        ctx = click.Context(command, info_name=name, parent=parent)
        found += [(ctx.command_path, ctx), *_commands(ctx)]
    return found


def main(argv: list[str]) -> None:
    from contractkit.cli import main as cli

    if argv == ["formats"]:
        sys.stdout.write(formats_markdown())
    elif argv == ["cli"]:
        sys.stdout.write(cli_markdown(cli))
    elif argv == ["templates"]:
        sys.stdout.write(templates_markdown())
    else:
        sys.exit("usage: python -m contractkit.cli.docgen formats|cli|templates")


if __name__ == "__main__":
    main(sys.argv[1:])

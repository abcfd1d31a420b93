"""Docs are generated from the code or checked against it, so they cannot drift."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import ROOT

from contractkit.cli import main
from contractkit.cli.docgen import _commands, cli_markdown, formats_markdown, templates_markdown


def test_formats_doc_is_current() -> None:
    current = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    assert current == formats_markdown(), "run: python -m contractkit.cli.docgen formats > docs/formats.md"


def test_cli_doc_is_current() -> None:
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == cli_markdown(main), "run: python -m contractkit.cli.docgen cli > docs/cli.md"


def test_templates_doc_is_current() -> None:
    current = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    assert current == templates_markdown(), "run: python -m contractkit.cli.docgen templates > docs/templates.md"


def test_every_command_has_help() -> None:
    import click

    for name, ctx in _commands(click.Context(main, info_name="contractkit")):
        assert ctx.command.help or ctx.command.short_help, f"{name} has no help text"
        result = CliRunner().invoke(main, [*name.split()[1:], "--help"])
        assert result.exit_code == 0, name


def test_readme_opens_with_the_three_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[: readme.index("## ")]
    assert "make serve" in head and "make test" in head and "make demo" in head


def test_docs_link_only_to_files_that_exist() -> None:
    import re

    for doc in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"

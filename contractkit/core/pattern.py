"""Clause source as patterns: literal words, and markers where the deal decides (values, choices, loops).

Shared by the clause comparison (checking.verify_text) and the template's furniture (word.profile),
which turn a paragraph's markers into a regular expression with `paragraph_pattern`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from contractkit.core.text import normalise, split_lines

WILD = "\ue000"  # stands for a deal value in a clause's source text
OPEN, ALT, CLOSE, LOOP = "\ue002", "\ue003", "\ue004", "\ue005"  # {% if %} / {% else %} / {% endif %} / {% for %}
_JINJA = re.compile(r"({{.*?}}|{%.*?%})", re.S)
# A deal value: bounded, within one paragraph ("\n" in DOCX text) and one sentence, so that a
# wildcard cannot swallow a sentence or paragraph appended after it.
# A full stop then a capital ends a sentence, except after an initial or a title ("Dr A. Person").
SENTENCE_END = r"(?<!\b[A-Z])(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bProf)(?<!\bSt)\. [A-Z]"
FILL = rf"((?:(?!{SENTENCE_END})[^\n]){{0,300}}?)"
LOOP_FILL = r"([^\n]{0,5000}?)"  # a {% for %} loop (lists of parties, special conditions)


def template_paragraphs(source: str) -> tuple[str, ...]:
    """A clause's source as normalised paragraphs in which markers stand for what the deal decides.

    {{ ... }} is a VALUE; {% if %} A {% else %} B {% endif %} is OPEN A ALT B CLOSE (with an empty
    branch when there is no else); a {% for %} loop is a LOOP. Bold markup (**) is dropped.
    """
    out = []
    for line in split_lines(source):
        if "{" not in line.source:
            out.append(normalise(line.source.replace("**", "")))
            continue
        text = normalise("".join(_markers(line.source)))
        text = re.sub(f" ?([{OPEN}{ALT}{CLOSE}]) ?", r"\1", text)
        out.append(re.sub(f"[{WILD}{LOOP}]*{LOOP}[{WILD}{LOOP}]*", LOOP, re.sub(f"{WILD}+", WILD, text)))
    return tuple(p for p in out if p)


def _markers(source: str) -> Iterator[str]:
    stack: list[str] = []  # "if", "else" or "for" for each open block
    for i, part in enumerate(_JINJA.split(source)):
        quiet = "for" in stack
        tag = re.match(r"{%-?\s*(\w+)", part) if i % 2 else None
        keyword = tag.group(1) if tag else ""
        if i % 2 == 0:
            yield "" if quiet else part.replace("**", "")
        elif keyword in ("if", "for"):
            yield "" if quiet else (OPEN if keyword == "if" else LOOP)
            stack.append(keyword)
        elif keyword in ("elif", "else") and stack and stack[-1] in ("if", "else"):
            yield "" if "for" in stack[:-1] else ALT
            stack[-1] = "else" if keyword == "else" else "if"
        elif keyword in ("endif", "endfor") and stack:
            kind = stack.pop()
            if "for" not in stack:
                yield {"if": ALT + CLOSE, "else": CLOSE}.get(kind, "")
        elif part.startswith("{{") and not quiet:
            yield WILD


def shown(paragraph: str) -> str:
    """A template paragraph for people: whatever the deal decides is shown as '…'."""
    while True:
        text = re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " … ", paragraph)
        if text == paragraph:
            return normalise(re.sub(f"[{WILD}{LOOP}]", "…", text))
        paragraph = text


def paragraph_pattern(para: str, kinds: list[str], fill: str = FILL) -> str:
    """A regular expression for one paragraph with markers: literal words escaped, each value `fill`,
    each loop LOOP_FILL, each choice an alternation; `kinds` gets "value" for each group it adds."""
    out = []
    for piece in re.split(f"([{WILD}{OPEN}{ALT}{CLOSE}{LOOP}])", para):
        if piece in (WILD, LOOP):
            kinds.append("value")
            out.append(fill if piece == WILD else LOOP_FILL)
        else:
            out.append({OPEN: " ?(?:", ALT: "|", CLOSE: ") ?"}.get(piece) or re.escape(piece))
    return "".join(out)

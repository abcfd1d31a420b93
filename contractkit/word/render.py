"""Render an assembled Agreement into a Word document through the library's docxtpl template.

The template supplies the cover, parties, recitals, signatures, styles and numbering; the clause
and schedule paragraphs are built straight into the same document (never as numbered
subdocuments, which restart numbering). Output is deterministic, carries a provenance manifest in
its custom properties, and is read back to prove every locked clause is present and unaltered.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import docx.oxml.ns
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docxtpl import DocxTemplate
from jinja2 import TemplateError

from contractkit.core import formatting
from contractkit.core.sandbox import sandbox
from contractkit.core.text import normalise
from contractkit.drafting.assemble import Agreement
from contractkit.errors import ContractkitError, Issue, ValidationFailed
from contractkit.library.loading import Library
from contractkit.word import save, template, xml
from contractkit.word.build import Builder, token
from contractkit.word.opened import docx_template, opened
from contractkit.word.reader.document import DocxContent, read_docx, read_parts
from contractkit.word.template import CONTEXT_NAMES, MARKERS, REQUIRED_STYLES

# Importing docxtpl (through docxcompose) rebinds python-docx's 'cp' prefix to the custom
# properties namespace, which corrupts core properties on save. Put it back.
docx.oxml.ns.nsmap["cp"] = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"

__all__ = [
    "CONTEXT_NAMES",
    "MARKERS",
    "REQUIRED_STYLES",
    "lint_template",
    "render",
    "render_agreement",
    "template_context",
]
MANIFEST_PROPERTY = "contractkit.manifest"
CORE_RT = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
# LibreOffice relates core properties with this older type; python-docx would then add a second core part.
LEGACY_CORE_RT = "http://schemas.openxmlformats.org/officedocument/2006/relationships/metadata/core-properties"


def template_context(agreement: Agreement) -> dict[str, Any]:
    """Everything the Word template may use: template.VARIABLES documents each name and field."""
    deal, locale = agreement.deal, agreement.deal.agreement.locale
    parties = [
        {
            "name": o.name,
            "short_name": o.short_name,
            "description": f"an NHS body with ODS code {o.ods_code}, of {o.address}",
        }
        for o in deal.nhs_organisations
    ]
    parties += [
        {
            "name": p.name,
            "short_name": p.short_name,
            "description": f"a company registered under number {p.company_number}, "
            f"whose registered office is at {p.address}",
        }
        for p in deal.partners
    ]
    names = {p["short_name"]: p["name"] for p in parties}
    nhs = formatting.join_and([o.short_name for o in deal.nhs_organisations], locale)
    partner = formatting.join_and([p.short_name for p in deal.partners], locale)
    return {
        "agreement": {
            "title": agreement.playbook.title,
            "project": deal.agreement.title,
            "reference": deal.agreement.reference,
            "version": deal.agreement.version,
            "date": formatting.date(deal.agreement.date, locale),
            "status": "final" if agreement.final else "draft",
            "draft": not agreement.final,
        },
        "playbook": {
            "id": agreement.playbook.id,
            "title": agreement.playbook.title,
            "version": agreement.playbook.version,
        },
        "library_version": agreement.library_version,
        "parties": parties,
        "recitals": [
            f"{nhs} {'holds' if len(deal.nhs_organisations) == 1 else 'hold'} health and care data about the "
            f"patients {'it serves' if len(deal.nhs_organisations) == 1 else 'they serve'}, and must use that "
            "data for the benefit of patients and the NHS.",
            f"{partner} {'wishes' if len(deal.partners) == 1 else 'wish'} to work with {nhs} on "
            f"{deal.purpose.description}, with the explicit aim {deal.purpose.aim}.",
            "The parties have agreed to do so on the terms of this Agreement, which give effect to the "
            "Department of Health and Social Care's guiding principles for data-driven partnerships.",
        ],
        "signatories": [{"party_name": names[s.party], "name": s.name, "title": s.title} for s in deal.signatories],
        **{name: token(name) for name in MARKERS},
    }


def render(agreement: Agreement, template: Path, *, sign: bool = True) -> bytes:
    """The agreement as DOCX bytes. Raises ContractkitError if the result fails its self-check.

    The manifest is signed with this installation's key (made on first use); `sign=False` is for
    lint's trial drafts, which nobody receives."""
    return save.zip_parts(_parts(agreement, template, sign=sign))


def _parts(agreement: Agreement, template: Path, *, sign: bool) -> list[tuple[str, bytes]]:
    """The rendered document's parts, as they will be zipped, self-checked."""
    source = opened(template)
    tpl = docx_template(source, template)  # a copy of the template opened once (word.opened)
    _adopt_core_properties(tpl.docx.part.package)  # before docxtpl renders the core properties
    locale = agreement.deal.agreement.locale
    try:
        tpl.render(template_context(agreement), jinja_env=sandbox(locale), autoescape=True)
    except TemplateError as exc:
        raise ValidationFailed(
            [Issue(f"template error: {exc.message or exc}", file=str(template), hint="run 'contractkit lint'")]
        ) from None
    document = tpl.docx
    xml.complete_settings(document.settings.element)
    Builder(document, agreement, source).build()
    _properties(document, agreement, sign=sign)
    parts = save.package_parts(document.part.package, source.kept)
    check_content(agreement, read_parts(dict(parts)), template)
    return parts


def render_agreement(library: Library, agreement: Agreement) -> bytes:
    """The agreement as DOCX bytes through its playbook's template, self-checked for its locked
    clauses; a final version is refused while the result carries unaccepted tracked changes."""
    template = library.template_path(agreement.playbook)
    parts = _parts(agreement, template, sign=True)
    if agreement.final:
        _refuse_tracked_changes(dict(parts), template)
    return save.zip_parts(parts)


def _refuse_tracked_changes(data: bytes | Mapping[str, bytes], template: Path) -> None:
    """A final version must not carry unaccepted tracked changes: LibreOffice would print them."""
    count = xml.tracked_changes(data)
    if count:
        raise ContractkitError(
            f"cannot produce a final version: the document has {count} unaccepted tracked change(s)",
            hint=f"accept or reject the tracked changes in {template}, then draft again",
        )


def _properties(document: Any, agreement: Agreement, *, sign: bool = True) -> None:
    from contractkit.trust.keys import installation_signer

    deal = agreement.deal
    stamp = dt.datetime.combine(deal.agreement.date, dt.time(0, 0))
    core = document.core_properties
    core.title = f"{agreement.playbook.title}: {deal.agreement.title}"
    core.subject = deal.agreement.title
    core.identifier = deal.agreement.reference
    core.keywords = (
        f"library {agreement.library_version}; playbook {agreement.playbook.id} {agreement.playbook.version}"
    )
    core.author = core.last_modified_by = "contractkit"
    core.created = core.modified = stamp
    core.last_printed = stamp
    core.revision = deal.agreement.version
    core.category = "final" if agreement.final else "draft"
    core.comments = ""
    package = document.part.package
    blob = xml.custom_properties_xml(
        {
            MANIFEST_PROPERTY: agreement.manifest_json(installation_signer() if sign else None),
            "contractkit.reference": deal.agreement.reference,
        }
    )
    _replace_part(package, Part(PackURI("/docProps/custom.xml"), xml.CUSTOM_CT, blob, package), xml.CUSTOM_RT)


def _replace_part(package: Any, part: Any, reltype: str) -> None:
    """Relate `part` to the package, dropping any part already at its name or of its type (a template
    saved by LibreOffice carries custom properties of its own): a package never holds a name twice."""
    for rel in list(package.rels.values()):
        if rel.is_external:
            continue
        if rel.reltype == reltype or rel.target_part.partname == part.partname:
            del package.rels[rel.rId]
            package.rels.related_parts.pop(rel.rId, None)
    package.relate_to(part, reltype)


def _adopt_core_properties(package: Any) -> None:
    """Relate LibreOffice's core properties with the standard type, so python-docx edits them rather
    than adding a second docProps/core.xml."""
    for rel in list(package.rels.values()):
        if rel.reltype == LEGACY_CORE_RT and not rel.is_external:
            part = rel.target_part
            del package.rels[rel.rId]
            package.rels.related_parts.pop(rel.rId, None)
            package.relate_to(part, CORE_RT)


def self_check(agreement: Agreement, data: bytes, template: Path) -> None:
    """Read a rendered DOCX back with verify's reader (see check_content)."""
    check_content(agreement, read_docx(data), template)


def check_content(agreement: Agreement, content: DocxContent, template: Path) -> None:
    """The self-check of a rendered agreement as verify's reader sees it: every locked clause must
    be present, word for word, and nothing in it may be hidden, whitened, shrunk, struck through or
    otherwise unseen."""
    from contractkit.word.check import draft_problems

    found: dict[str, list[str]] = {}
    for block in content.blocks:
        if block.clause:
            found.setdefault(block.clause, []).append(block.text)
    issues = []
    for placed in agreement.all_clauses():
        if not placed.locked:
            continue
        text = normalise(" ".join(found.get(placed.id, [])))
        if text != placed.text():
            what = "missing" if placed.id not in found else "altered"
            issues.append(
                Issue(
                    f"locked clause {placed.id!r} is {what} in the rendered document",
                    file=str(template),
                    hint="the template must not change or hide clause text",
                )
            )
    issues += draft_problems(content, template)
    if issues:
        raise ValidationFailed(issues)


def lint_template(path: Path) -> list[Issue]:
    """Static checks of a Word template: its tags parse, it uses only known variables, and it has the
    markers, styles and lists drafting needs (template.structure)."""
    from jinja2 import TemplateSyntaxError

    label = str(path)
    try:
        used = DocxTemplate(str(path)).get_undeclared_template_variables(sandbox("en_GB"))
    except TemplateSyntaxError as exc:
        hint = "Word may have split or autocorrected the tag: retype it in one go"
        return [Issue(f"broken template tag: {exc.message}", file=label, hint=hint)]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        return [Issue(f"not a readable Word template ({exc})", file=label)]
    known = ", ".join(sorted(CONTEXT_NAMES))
    issues = [
        Issue(f"uses unknown variable {name!r} (known: {known})", file=label, hint="see docs/templates.md")
        for name in sorted(used - CONTEXT_NAMES)
    ]
    return issues + template.structure(path) + _visibility(path)


def _visibility(path: Path) -> list[Issue]:
    """Text the template or the styles drafting uses would hide from a reader (verify's reader, word.check)."""
    from contractkit.errors import CannotVerify
    from contractkit.word.check import template_problems

    try:
        return template_problems(path, list(REQUIRED_STYLES))
    except CannotVerify as exc:
        return [Issue(f"not a readable Word template ({exc})", file=str(path))]

"""Validate the XML parts of a Word (or any OOXML) package against the ECMA-376 Transitional schemas.

The schemas are vendored in tests/xsd (see its README.md). Before a part is validated, markup
compatibility (ECMA-376 Part 3) is applied as a consumer that understands only these schemas would:
each mc:AlternateContent becomes its first understood mc:Choice (else its mc:Fallback), and the
elements and attributes of every namespace a part lists in mc:Ignorable are dropped.
"""

from __future__ import annotations

import functools
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

XSD = Path(__file__).resolve().parent / "xsd"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# Every namespace the driver schema imports, with the file that defines it, in load order.
SCHEMAS = {
    "http://www.w3.org/XML/1998/namespace": "xml.xsd",
    "http://purl.org/dc/elements/1.1/": "dc-minimal.xsd",
    "http://purl.org/dc/terms/": "dcterms-minimal.xsd",
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main": "wml.xsd",
    "urn:schemas-microsoft-com:vml": "vml-main.xsd",
    "urn:schemas-microsoft-com:office:office": "vml-officeDrawing.xsd",
    "http://schemas.openxmlformats.org/drawingml/2006/main": "dml-main.xsd",
    "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties": "shared-documentPropertiesCustom.xsd",
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties": (
        "shared-documentPropertiesExtended.xsd"
    ),
    "http://schemas.openxmlformats.org/officeDocument/2006/customXml": "shared-customXmlDataProperties.xsd",
    "http://schemas.openxmlformats.org/package/2006/metadata/core-properties": "opc/opc-coreProperties.xsd",
    "http://schemas.openxmlformats.org/package/2006/content-types": "opc/opc-contentTypes.xsd",
    "http://schemas.openxmlformats.org/package/2006/relationships": "opc/opc-relationships.xsd",
}
PREFIXES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
# Root namespaces of parts that have a schema here; other XML parts (customXml items) are data.
ROOTS = frozenset(list(SCHEMAS)[3:])


@dataclass
class Report:
    """What a package validation found: the parts checked, those without a schema, and every error."""

    checked: list[str]
    skipped: list[str]
    errors: list[str]


@functools.cache
def schema() -> etree.XMLSchema:
    """One schema over every namespace above (built once per test run: it takes about a second)."""
    imports = "".join(f'<xs:import namespace="{ns}" schemaLocation="{name}"/>' for ns, name in SCHEMAS.items())
    driver = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.fromstring(driver, parser, base_url=str(XSD / "driver.xsd")))


@functools.cache
def understood() -> frozenset[str]:
    """Namespaces a schema here defines, directly or through an import."""
    found = set(SCHEMAS)
    for path in XSD.rglob("*.xsd"):
        target = etree.parse(str(path)).getroot().get("targetNamespace")
        if target:
            found.add(target)
    return frozenset(found)


def markup_compatibility(root: etree._Element) -> etree._Element:
    """A copy of `root` as a consumer that knows only the schemas here would read it."""
    root = etree.fromstring(etree.tostring(root))  # a copy keeping line numbers relative to the part
    known = understood()
    for alternate in list(root.iter(f"{{{MC}}}AlternateContent")):
        _choose(alternate, known)
    ignorable = set()
    for el in root.iter():
        for prefix in (el.get(f"{{{MC}}}Ignorable") or "").split():
            ns = el.nsmap.get(prefix)
            if ns and ns not in known:
                ignorable.add(ns)
    for el in list(root.iter()):
        if isinstance(el.tag, str) and etree.QName(el).namespace in ignorable and el.getparent() is not None:
            el.getparent().remove(el)
            continue
        for name in list(el.attrib):
            if etree.QName(name).namespace in ignorable | {MC}:
                del el.attrib[name]
    return root


def _choose(alternate: etree._Element, known: frozenset[str]) -> None:
    chosen = None
    for choice in alternate.iterchildren(f"{{{MC}}}Choice"):
        needs = [alternate.nsmap.get(p) or choice.nsmap.get(p) for p in (choice.get("Requires") or "").split()]
        if all(ns in known for ns in needs):
            chosen = choice
            break
    if chosen is None:
        chosen = alternate.find(f"{{{MC}}}Fallback")
    parent = alternate.getparent()
    assert parent is not None
    for child in list(chosen) if chosen is not None else []:
        alternate.addprevious(child)
    parent.remove(alternate)


def validate_part(name: str, data: bytes) -> list[str]:
    """Schema errors of one XML part, each as 'part:line: message'."""
    root = markup_compatibility(etree.fromstring(data))
    checker = schema()
    if checker.validate(root):
        return []
    return [f"{name}:{e.line} {_short(e.path)}: {_short(e.message)}" for e in checker.error_log]


def _short(text: str) -> str:
    """Namespace URIs as the usual prefixes, so an error reads like the XML."""
    for prefix, ns in PREFIXES.items():
        text = text.replace(f"{{{ns}}}", f"{prefix}:")
    return text


def validate_package(data: bytes) -> Report:
    """Validate every XML part of an OOXML zip whose root namespace has a schema here."""
    report = Report([], [], [])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        duplicates = sorted({n for n in names if names.count(n) > 1})
        report.errors += [f"{n}: the package holds this part {names.count(n)} times" for n in duplicates]
        for name in names:
            if not name.endswith((".xml", ".rels")):
                continue
            part = archive.read(name)
            if etree.QName(etree.fromstring(part)).namespace not in ROOTS:
                report.skipped.append(name)
                continue
            report.checked.append(name)
            report.errors += validate_part(name, part)
    return report


def assert_valid_docx(data: bytes) -> Report:
    """Fail with every schema error, naming part and line; the main parts must have been checked."""
    report = validate_package(data)
    assert not report.errors, "\n".join(report.errors[:40])
    for part in ("[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml"):
        assert part in report.checked, f"{part} was not validated"
    return report

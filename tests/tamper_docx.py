"""Tampered copies of a genuine draft, one technique per function, made by editing its XML with lxml.

Each technique takes a `Package` (a draft held in memory) and changes it the way a counterparty
with ordinary Word skills, or a text editor, could; it returns what verify must then report: the
finding's kind, the clause it is in (or None) and where (a location, or a prefix of one). The
techniques are grouped by class (formatting, paragraphs, package, what Word shows besides text,
characters); test_tamper_docx.py runs each one.
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
V = "urn:schemas-microsoft-com:vml"
O = "urn:schemas-microsoft-com:office:office"  # noqa: E741 - the VML office prefix
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
NS = {"w": W, "r": R, "mc": MC, "wp": WP, "a": A, "pic": PIC, "wps": WPS, "v": V, "o": O, "m": M}
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
MAIN = "word/document.xml"
TARGET = "non-exclusivity"  # the locked clause most techniques attack
WORD = "non-"  # ... and the word whose meaning flips when it is unseen
EXCLUSIVE = "The Partner shall have the exclusive right to use the NHS Data for five years."
ONLY = "The NHS Data shall be made available only to the Partner, and to no other person."
REDEFINE = '"NHS Data" means only the records that the Partner selects for its own use.'


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def q(prefixed: str) -> str:
    prefix, local = prefixed.split(":")
    return f"{{{NS[prefix]}}}{local}"


@dataclass(frozen=True)
class Expect:
    """What verify must report: a finding of this kind, in this clause, at this location (or one starting so)."""

    kind: str
    clause: str | None
    location: str | None = None  # None: anywhere


class Package:
    """A DOCX held as parts; XML parts are parsed on first use and written back on save()."""

    def __init__(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            self.parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
        self.trees: dict[str, etree._Element] = {}
        self.main = MAIN

    def xml(self, name: str) -> etree._Element:
        if name not in self.trees:
            self.trees[name] = etree.fromstring(self.parts[name])
        return self.trees[name]

    @property
    def document(self) -> etree._Element:
        return self.xml(self.main)

    def add(self, name: str, data: bytes, content_type: str | None = None) -> None:
        self.parts[name] = data
        if content_type:
            types = self.xml("[Content_Types].xml")
            etree.SubElement(types, f"{{{CT}}}Override", PartName=f"/{name}", ContentType=content_type)

    def relate(self, source: str, kind: str, target: str, external: bool = False) -> str:
        """Add a relationship from `source` to `target` (relative to the source's folder); returns its id."""
        folder, base = posixpath.split(source)
        rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
        if rels_name not in self.parts:
            self.parts[rels_name] = f'<Relationships xmlns="{PKG}"/>'.encode()
        rels = self.xml(rels_name)
        rid = f"rIdT{len(rels) + 100}"
        rel = etree.SubElement(rels, f"{{{PKG}}}Relationship", Id=rid, Type=REL + kind, Target=target)
        if external:
            rel.set("TargetMode", "External")
        return rid

    def save(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, raw in self.parts.items():
                tree = self.trees.get(name)
                xml = None if tree is None else etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
                archive.writestr(name, raw if xml is None else xml)
        return out.getvalue()


# ----------------------------------------------------------------------------- finding things in the body


def paragraphs(root: etree._Element) -> list[etree._Element]:
    return list(root.iter(w("p")))


def where(pkg: Package, p: etree._Element, part: str | None = None) -> str:
    """The location verify gives a paragraph: its part and its number in document order."""
    part = part or pkg.main
    return f"{part}, paragraph {paragraphs(pkg.xml(part)).index(p) + 1}"


def control(root: etree._Element, clause_id: str) -> etree._Element:
    found = root.xpath(f"//w:sdt[w:sdtPr/w:tag/@w:val='ck:{clause_id}']", namespaces=NS)
    return found[0]


def clause_paragraphs(root: etree._Element, clause_id: str) -> list[etree._Element]:
    return list(control(root, clause_id).iter(w("p")))


def isolate(root: etree._Element, clause_id: str = TARGET, word: str = WORD) -> etree._Element:
    """Split the run holding `word` in a clause so that the word is a run of its own; returns that run."""
    for t in control(root, clause_id).iter(w("t")):
        text = t.text or ""
        if word in text:
            run = t.getparent()
            before, after = text.split(word, 1)
            t.text = before
            middle = copy.deepcopy(run)
            middle.find(w("t")).text = word
            tail = copy.deepcopy(run)
            tail.find(w("t")).text = after
            run.addnext(middle)
            middle.addnext(tail)
            for piece in (run, middle, tail):
                piece.find(w("t")).set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            return middle
    raise AssertionError(f"{word!r} is not in clause {clause_id!r}")


def paragraph_of(el: etree._Element) -> etree._Element:
    return next(a for a in el.iterancestors(w("p")))


def props(run: etree._Element) -> etree._Element:
    """The run's rPr, created first in the run if missing."""
    rpr = run.find(w("rPr"))
    if rpr is None:
        rpr = etree.Element(w("rPr"))
        run.insert(0, rpr)
    return rpr


def para_props(p: etree._Element) -> etree._Element:
    ppr = p.find(w("pPr"))
    if ppr is None:
        ppr = etree.Element(w("pPr"))
        p.insert(0, ppr)
    return ppr


def el(tag: str, **attrs: str) -> etree._Element:
    node = etree.Element(q(tag) if ":" in tag else w(tag))
    for key, value in attrs.items():
        node.set(q(key) if ":" in key else w(key), value)
    return node


def run(text: str, *rpr: etree._Element) -> etree._Element:
    r = etree.Element(w("r"))
    if rpr:
        holder = etree.SubElement(r, w("rPr"))
        for child in rpr:
            holder.append(child)
    t = etree.SubElement(r, w("t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def new_paragraph(text: str, style: str | None = None) -> etree._Element:
    p = etree.Element(w("p"))
    if style:
        para_props(p).append(el("pStyle", val=style))
    p.append(run(text))
    return p


def styles(pkg: Package) -> etree._Element:
    return pkg.xml("word/styles.xml")


def style(pkg: Package, style_id: str) -> etree._Element:
    return styles(pkg).xpath(f"w:style[@w:styleId='{style_id}']", namespaces=NS)[0]


def unhide_others(pkg: Package, keep: etree._Element) -> None:
    """Switch hidden text off directly on every run but `keep`, so that only it stays hidden."""
    for r in pkg.document.iter(w("r")):
        if r is not keep:
            props(r).append(el("vanish", val="0"))


# ----------------------------------------------------------------------------- formatting


def direct(*rpr: Callable[[], etree._Element], kind: str) -> Callable[[Package], Expect]:
    """The word gets run properties of its own (hidden, white, tiny, struck...)."""

    def tamper(pkg: Package) -> Expect:
        r = isolate(pkg.document)
        for make in rpr:
            props(r).append(make())
        return Expect(kind, TARGET, where(pkg, paragraph_of(r)))

    return tamper


def character_style(pkg: Package) -> Expect:
    """A new character style that hides text, applied to the word."""
    quiet = etree.SubElement(styles(pkg), w("style"))
    quiet.set(w("type"), "character")
    quiet.set(w("styleId"), "Quiet")
    quiet.append(el("name", val="Quiet"))
    etree.SubElement(quiet, w("rPr")).append(el("vanish"))
    r = isolate(pkg.document)
    props(r).insert(0, el("rStyle", val="Quiet"))
    return Expect("hidden-text", TARGET, where(pkg, paragraph_of(r)))


def styled_hidden(path: str) -> Callable[[Package], Expect]:
    """Hidden text switched on in a style (the clause paragraph style, or the document defaults) and off
    directly everywhere except the word."""

    def tamper(pkg: Package) -> Expect:
        holder = styles(pkg).xpath(path, namespaces=NS)[0]
        holder.append(el("vanish"))
        r = isolate(pkg.document)
        unhide_others(pkg, r)
        return Expect("hidden-text", TARGET, where(pkg, paragraph_of(r)))

    return tamper


def shaded(pkg: Package) -> Expect:
    """The paragraph is shaded dark red and the word coloured the same."""
    r = isolate(pkg.document)
    p = paragraph_of(r)
    para_props(p).append(el("shd", val="clear", color="auto", fill="8B0000"))
    props(r).append(el("color", val="8B0000"))
    return Expect("invisible-text", TARGET, where(pkg, p))


def page_colour(pkg: Package) -> Expect:
    """A page colour as dark as the text: nothing can be read on screen."""
    body = pkg.document.find(w("body"))
    body.addprevious(el("background", color="1F1F1F"))
    return Expect("invisible-text", None, None)


def paragraph_format(*ppr: Callable[[], etree._Element], kind: str) -> Callable[[Package], Expect]:
    def tamper(pkg: Package) -> Expect:
        p = clause_paragraphs(pkg.document, TARGET)[1]
        for make in ppr:
            para_props(p).append(make())
        return Expect(kind, TARGET, where(pkg, p))

    return tamper


def second_properties(pkg: Package) -> Expect:
    """A second rPr after the run's own: one program obeys the first, another the second."""
    r = isolate(pkg.document)
    second = el("rPr")
    second.append(el("color", val="FFFFFF"))
    props(r).addnext(second)
    return Expect("invisible-text", TARGET, where(pkg, paragraph_of(r)))


def table_style_first_row(pkg: Package) -> Expect:
    """The table style hides the text of every first row."""
    table_style = style(pkg, "ContractTable")
    cond = etree.SubElement(table_style, w("tblStylePr"))
    cond.set(w("type"), "firstRow")
    etree.SubElement(cond, w("rPr")).append(el("vanish"))
    return Expect("hidden-text", None, "word/document.xml, table style")


def theme_symbol_font(pkg: Package) -> Expect:
    """The theme's body font replaced by a symbol font, and the word set in the theme's body font."""
    rels = pkg.xml("word/_rels/document.xml.rels")
    theme = next("word/" + r.get("Target") for r in rels if r.get("Type", "").endswith("/theme"))
    latin = pkg.xml(theme).find(f".//{{{A}}}minorFont/{{{A}}}latin")
    latin.set("typeface", "Webdings")
    r = isolate(pkg.document)
    props(r).append(el("rFonts", asciiTheme="minorHAnsi", hAnsiTheme="minorHAnsi"))
    return Expect("distorted-text", TARGET, where(pkg, paragraph_of(r)))


def clipped_row(pkg: Package) -> Expect:
    """A table row of exact height 1 pt: its cells' text is cut off."""
    table = next(pkg.document.iter(w("tbl")))
    row = table.findall(w("tr"))[1]
    row.find(w("trPr")).append(el("trHeight", val="20", hRule="exact"))
    cell_p = next(row.iter(w("p")))
    return Expect("tiny-text", None, where(pkg, cell_p))


def embedded_font(pkg: Package) -> Expect:
    fonts = pkg.xml("word/fontTable.xml")
    font = next(fonts.iter(w("font")))
    font.append(el("embedRegular", **{"r:id": "rIdFont1"}))
    return Expect("distorted-text", None, MAIN)


# ----------------------------------------------------------------------------- paragraphs


def after_clause(clause_id: str, text: str, style_id: str | None, kind: str = "added") -> Callable[[Package], Expect]:
    """A new paragraph straight after a clause, outside its content control (in a clause style it is read
    as part of that clause)."""

    def tamper(pkg: Package) -> Expect:
        p = new_paragraph(text, style_id)
        control(pkg.document, clause_id).addnext(p)
        joins = style_id is not None and style_id.startswith("Clause")
        return Expect(kind, clause_id if joins else None, where(pkg, p))

    return tamper


def inside_clause(clause_id: str, text: str, kind: str = "added") -> Callable[[Package], Expect]:
    """A new paragraph at the end of a clause, in its own style, inside its content control."""

    def tamper(pkg: Package) -> Expect:
        last = clause_paragraphs(pkg.document, clause_id)[-1]
        p = copy.deepcopy(last)
        for r in p.findall(w("r")):
            p.remove(r)
        p.append(run(text))
        last.addnext(p)
        return Expect(kind, clause_id, where(pkg, p))

    return tamper


def in_schedule(pkg: Package) -> Expect:
    """A new paragraph after the first schedule table."""
    table = next(pkg.document.iter(w("tbl")))
    p = new_paragraph(ONLY, "ScheduleText")
    table.addnext(p)
    return Expect("added", None, where(pkg, p))


def in_table_cell(pkg: Package) -> Expect:
    """A sentence typed into a table cell, beyond what the deal produces (found with --against)."""
    table = next(pkg.document.iter(w("tbl")))
    cell = table.findall(w("tr"))[1].find(w("tc"))  # a data row: the heading row's shading would hide it
    p = new_paragraph(ONLY, "TableText")
    cell.append(p)
    return Expect("added", None, where(pkg, p))


def in_cover(pkg: Package) -> Expect:
    """A new paragraph among the cover and parties."""
    first = paragraphs(pkg.document)[3]
    p = new_paragraph(ONLY)
    first.addnext(p)
    return Expect("added", None, where(pkg, p))


def in_party_value(pkg: Package) -> Expect:
    """A redefinition typed inside a deal value of the parties paragraph: it fits the template's pattern."""
    party = next(p for p in paragraphs(pkg.document) if "an NHS body with ODS code" in "".join(p.itertext()))
    t = next(party.iter(w("t")))
    t.text = f"{t.text}; {REDEFINE[:-1]},"
    return Expect("redefinition", None, where(pkg, party))


# ----------------------------------------------------------------------------- the package


def redirected(pkg: Package) -> Expect:
    """The main part moved: _rels/.rels names word/main2.xml (tampered); word/document.xml stays as a decoy."""
    pkg.add(
        "word/main2.xml",
        pkg.parts[MAIN],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    )
    pkg.parts["word/_rels/main2.xml.rels"] = pkg.parts["word/_rels/document.xml.rels"]
    rels = pkg.xml("_rels/.rels")
    for rel in rels:
        if rel.get("Type", "").endswith("/officeDocument"):
            rel.set("Target", "word/main2.xml")
    pkg.main = "word/main2.xml"
    t = next(t for t in control(pkg.document, TARGET).iter(w("t")) if WORD in (t.text or ""))
    t.text = (t.text or "").replace("is non-exclusive", "is exclusive")
    return Expect("altered", TARGET, where(pkg, paragraph_of(t)))


def odd_header(pkg: Package) -> Expect:
    """A header part under an unusual file name, related from the main part and used by the section."""
    hdr = f'<w:hdr xmlns:w="{W}"><w:p><w:r><w:t>{EXCLUSIVE}</w:t></w:r></w:p></w:hdr>'.encode()
    pkg.add("word/zz-top.xml", hdr, "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml")
    rid = pkg.relate(MAIN, "header", "zz-top.xml")
    sect = pkg.document.find(f"{w('body')}/{w('sectPr')}")
    ref = el("headerReference", type="even", **{"r:id": rid})
    sect.insert(0, ref)
    return Expect("added", None, "word/zz-top.xml, paragraph 1")


def odd_footnotes(pkg: Package) -> Expect:
    """A footnotes part under an unusual file name, with a note holding exclusivity."""
    notes = (
        f'<w:footnotes xmlns:w="{W}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
        f'</w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>{EXCLUSIVE}</w:t></w:r></w:p></w:footnote></w:footnotes>'
    ).encode()
    pkg.add("word/fn-77.xml", notes, "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml")
    pkg.relate(MAIN, "footnotes", "fn-77.xml")
    r = isolate(pkg.document)
    r.addnext(etree.fromstring(f'<w:r xmlns:w="{W}"><w:footnoteReference w:id="1"/></w:r>'))
    return Expect("added", None, "word/fn-77.xml, paragraph 1")


# ----------------------------------------------------------------------------- what Word shows besides w:t


def symbol(pkg: Package) -> Expect:
    """The hyphen of 'non-' drawn with w:sym."""
    r = isolate(pkg.document)
    r.find(w("t")).text = "non"
    r.append(el("sym", font="Symbol", char="F02D"))
    return Expect("symbol", TARGET, where(pkg, paragraph_of(r)))


def numbering_words(pkg: Package) -> Expect:
    """A list level whose label text carries words: every clause paragraph then begins with them."""
    numbering = pkg.xml("word/numbering.xml")
    lvl = numbering.xpath("w:abstractNum[@w:abstractNumId='1']/w:lvl[@w:ilvl='1']/w:lvlText", namespaces=NS)[0]
    lvl.set(w("val"), "Save for the Partner's exclusive rights, %1.%2")
    return Expect("numbering", "definitions", "word/document.xml, paragraph")  # every Clause 2 paragraph


def field(instruction: str) -> Callable[[Package], Expect]:
    """The word replaced by a field whose stored result reads 'non-' and whose instruction says otherwise."""

    def tamper(pkg: Package) -> Expect:
        r = isolate(pkg.document)
        begin = run("")
        begin.remove(begin.find(w("t")))
        begin.append(el("fldChar", fldCharType="begin"))
        code = etree.Element(w("r"))
        etree.SubElement(code, w("instrText")).text = f" {instruction} "
        sep = etree.Element(w("r"))
        sep.append(el("fldChar", fldCharType="separate"))
        end = etree.Element(w("r"))
        end.append(el("fldChar", fldCharType="end"))
        r.addprevious(begin)
        r.addprevious(code)
        r.addprevious(sep)
        r.addnext(end)
        return Expect("field", TARGET, where(pkg, paragraph_of(r)))

    return tamper


def page_field_words(pkg: Package) -> Expect:
    """A footer's PAGE field whose stored result is words, not a page number."""
    rels = pkg.xml("word/_rels/document.xml.rels")
    footer = next("word/" + r.get("Target") for r in rels if r.get("Type", "").endswith("/footer"))
    root = pkg.xml(footer)
    runs = list(root.iter(w("r")))
    for i, r in enumerate(runs):
        code = r.find(w("instrText"))
        if code is not None and "PAGE" in (code.text or ""):
            result = runs[i + 2].find(w("t"))
            result.text = "exclusive to the Partner"
            return Expect("field", None, where(pkg, paragraph_of(result), footer))
    raise AssertionError("no PAGE field in the footer")


def data_bound(pkg: Package) -> Expect:
    """The word wrapped in a content control bound to a custom XML part: Word shows the part's value."""
    r = isolate(pkg.document)
    sdt = etree.Element(w("sdt"))
    pr = etree.SubElement(sdt, w("sdtPr"))
    pr.append(el("dataBinding", xpath="/root/word[1]", storeItemID="{00000000-0000-0000-0000-000000000001}"))
    content = etree.SubElement(sdt, w("sdtContent"))
    r.addprevious(sdt)
    content.append(r)
    pkg.add("customXml/item9.xml", b"<root><word></word></root>")
    return Expect("content-control", TARGET, where(pkg, paragraph_of(sdt)))


def alternate(pkg: Package) -> Expect:
    """Alternative content: Word shows the Choice ('exclusive'), older readers the Fallback ('non-exclusive')."""
    r = isolate(pkg.document)
    ac = etree.Element(q("mc:AlternateContent"), nsmap={"mc": MC})
    choice = etree.SubElement(ac, q("mc:Choice"), Requires="w14")
    fallback = etree.SubElement(ac, q("mc:Fallback"))
    choice.append(run(""))
    fallback.append(run(WORD))
    r.addprevious(ac)
    r.getparent().remove(r)
    return Expect("alternate-content", TARGET, where(pkg, paragraph_of(ac)))


def drawing(graphic: str, body: str) -> etree._Element:
    xml = (
        f'<w:drawing xmlns:w="{W}" xmlns:wp="{WP}" xmlns:a="{A}" xmlns:pic="{PIC}" xmlns:wps="{WPS}" xmlns:r="{R}">'
        '<wp:inline><wp:extent cx="914400" cy="914400"/><wp:docPr id="77" name="Tampered"/>'
        f'<a:graphic><a:graphicData uri="{graphic}">{body}</a:graphicData></a:graphic></wp:inline></w:drawing>'
    )
    return etree.fromstring(xml)


def text_box(pkg: Package) -> Expect:
    """A text box (DrawingML shape) holding exclusivity, anchored in the clause."""
    r = isolate(pkg.document)
    shape = (
        f"<wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>{EXCLUSIVE}</w:t></w:r></w:p>"
        "</w:txbxContent></wps:txbx></wps:wsp>"
    )
    r.append(drawing(WPS, shape))
    return Expect("object", TARGET, where(pkg, paragraph_of(r)))


def image(pkg: Package) -> Expect:
    """A picture (say, of a clause with different words) placed in the clause."""
    r = isolate(pkg.document)
    pkg.add("word/media/tampered.png", b"\x89PNG\r\n\x1a\n" + bytes(64))
    rid = pkg.relate(MAIN, "image", "media/tampered.png")
    pic = f'<pic:pic><pic:blipFill><a:blip r:embed="{rid}"/></pic:blipFill></pic:pic>'
    r.append(drawing(PIC, pic))
    return Expect("object", TARGET, where(pkg, paragraph_of(r)))


def ole(pkg: Package) -> Expect:
    """An embedded OLE object (a spreadsheet, say) in the clause."""
    r = isolate(pkg.document)
    obj = etree.fromstring(
        f'<w:object xmlns:w="{W}" xmlns:o="{O}" xmlns:v="{V}"><v:shape id="ole1" style="width:80pt;height:40pt"/>'
        '<o:OLEObject Type="Embed" ProgID="Excel.Sheet.12" ShapeID="ole1" DrawAspect="Content" ObjectID="_1"/>'
        "</w:object>"
    )
    r.append(obj)
    return Expect("object", TARGET, where(pkg, paragraph_of(r)))


def comment(pkg: Package) -> Expect:
    comments = (
        f'<w:comments xmlns:w="{W}"><w:comment w:id="5" w:author="Partner"><w:p><w:r><w:t>{EXCLUSIVE}</w:t>'
        "</w:r></w:p></w:comment></w:comments>"
    ).encode()
    pkg.add("word/remarks.xml", comments, "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml")
    pkg.relate(MAIN, "comments", "remarks.xml")
    r = isolate(pkg.document)
    r.addnext(etree.fromstring(f'<w:r xmlns:w="{W}"><w:commentReference w:id="5"/></w:r>'))
    return Expect("comment", None, "word/remarks.xml, comment 5")


def alt_chunk(pkg: Package) -> Expect:
    """HTML embedded as an altChunk after clause 7: Word shows it as text."""
    html = f"<html><body><p>{EXCLUSIVE}</p></body></html>".encode()
    pkg.add("word/chunk.html", html, "text/html")
    rid = pkg.relate(MAIN, "aFChunk", "chunk.html")
    chunk = el("altChunk", **{"r:id": rid})
    control(pkg.document, TARGET).addnext(chunk)
    return Expect("object", None, "word/document.xml, after paragraph")


def equation(pkg: Package) -> Expect:
    """Words written as an equation (m:t), which Word shows as text."""
    r = isolate(pkg.document)
    r.find(w("t")).text = ""
    math = etree.fromstring(f'<m:oMath xmlns:m="{M}"><m:r><m:t>exclusive</m:t></m:r></m:oMath>')
    r.addnext(math)
    return Expect("object", TARGET, where(pkg, paragraph_of(r)))


def unknown_container(pkg: Package) -> Expect:
    """Text inside an element this reader does not know: it must be reported, not skipped."""
    r = isolate(pkg.document)
    t = r.find(w("t"))
    box = etree.SubElement(r, "{http://example.com/unknown}box")
    box.append(t)
    return Expect("unread-text", None, MAIN)


# ----------------------------------------------------------------------------- characters


def characters(old: str, new: str, kind: str, clause_id: str = TARGET) -> Callable[[Package], Expect]:
    """Replace text in a clause with text that looks the same (or nearly) and is not."""

    def tamper(pkg: Package) -> Expect:
        for t in control(pkg.document, clause_id).iter(w("t")):
            if old in (t.text or ""):
                t.text = (t.text or "").replace(old, new, 1)
                return Expect(kind, clause_id, where(pkg, paragraph_of(t)))
        raise AssertionError(f"{old!r} is not in clause {clause_id!r}")

    return tamper


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


Technique = Callable[[Package], Expect]
TECHNIQUES: dict[str, Technique] = {
    # hidden by formatting, from each level of the style hierarchy
    "hidden-character-style": character_style,
    "hidden-paragraph-style": styled_hidden("w:style[@w:styleId='Clause2']/w:rPr"),
    "hidden-doc-defaults": styled_hidden("w:docDefaults/w:rPrDefault/w:rPr"),
    "hidden-direct-vanish": direct(lambda: el("vanish"), kind="hidden-text"),
    "hidden-direct-specVanish": direct(lambda: el("specVanish"), kind="hidden-text"),
    "hidden-direct-webHidden": direct(lambda: el("webHidden"), kind="hidden-text"),
    "hidden-table-style": table_style_first_row,
    # coloured like what is behind it
    "white-text": direct(lambda: el("color", val="FFFFFF"), kind="invisible-text"),
    "white-by-theme": direct(lambda: el("color", val="000000", themeColor="background1"), kind="invisible-text"),
    "near-white": direct(lambda: el("color", val="F4F4F4"), kind="invisible-text"),
    "coloured-like-shading": shaded,
    "coloured-like-highlight": direct(
        lambda: el("highlight", val="yellow"), lambda: el("color", val="FFFF00"), kind="invisible-text"
    ),
    "coloured-like-run-shading": direct(
        lambda: el("shd", val="clear", color="auto", fill="003087"),
        lambda: el("color", val="003087"),
        kind="invisible-text",
    ),
    "page-colour": page_colour,
    # too small, struck, moved or drawn as something else
    "one-point": direct(lambda: el("sz", val="2"), kind="tiny-text"),
    "complex-script-size": direct(lambda: el("cs"), lambda: el("szCs", val="2"), kind="tiny-text"),
    "squeezed-width": direct(lambda: el("w", val="10"), kind="tiny-text"),
    "fit-text": direct(lambda: el("fitText", val="20", id="1"), kind="tiny-text"),
    "clipped-line": paragraph_format(lambda: el("spacing", line="20", lineRule="exact"), kind="tiny-text"),
    "struck": direct(lambda: el("strike"), kind="struck-text"),
    "double-struck": direct(lambda: el("dstrike"), kind="struck-text"),
    "raised-off-line": direct(lambda: el("position", val="200"), kind="displaced-text"),
    "condensed": direct(lambda: el("spacing", val="-200"), kind="displaced-text"),
    "framed-paragraph": paragraph_format(lambda: el("framePr", x="-9000", y="0", wrap="around"), kind="displaced-text"),
    "indented-off-page": paragraph_format(lambda: el("ind", left="40000"), kind="displaced-text"),
    "symbol-font": direct(lambda: el("rFonts", ascii="Wingdings", hAnsi="Wingdings"), kind="distorted-text"),
    "right-to-left": direct(lambda: el("rtl"), kind="distorted-text"),
    "property-twice": direct(
        lambda: el("color", val="1F1F1F"), lambda: el("color", val="FFFFFF"), kind="distorted-text"
    ),
    "embedded-font": embedded_font,
    "theme-symbol-font": theme_symbol_font,
    "clipped-table-row": clipped_row,
    "second-run-properties": second_properties,
    # paragraphs that are not the agreement's
    "only-partner-after-clause-7": after_clause(TARGET, ONLY, None),
    "only-partner-as-recital": after_clause(TARGET, ONLY, "Recital"),
    "only-partner-as-clause-text": after_clause("national-benefit", ONLY, "Clause2"),
    "only-partner-in-negotiable-clause": inside_clause("intellectual-property", ONLY),
    "only-partner-in-schedule": in_schedule,
    "only-partner-in-cover": in_cover,
    "redefinition-after-clause-7": after_clause(TARGET, REDEFINE, None, "redefinition"),
    "exclusivity-after-clause-7": after_clause(TARGET, EXCLUSIVE, None, "exclusivity"),
    "redefinition-in-negotiable-clause": inside_clause("intellectual-property", REDEFINE, "redefinition"),
    "redefinition-in-party-value": in_party_value,
    # the package
    "main-part-redirected": redirected,
    "header-under-odd-name": odd_header,
    "footnotes-under-odd-name": odd_footnotes,
    # shown by Word outside w:t
    "symbol": symbol,
    "numbering-label-words": numbering_words,
    "field-quote": field('QUOTE "exclusive"'),
    "field-docproperty": field("DOCPROPERTY Exclusivity"),
    "field-ref": field("REF _Hidden \\h"),
    "page-field-words": page_field_words,
    "data-bound-control": data_bound,
    "alternate-content": alternate,
    "text-box": text_box,
    "image": image,
    "ole-object": ole,
    "comment": comment,
    "alt-chunk": alt_chunk,
    "equation": equation,
    "unknown-container": unknown_container,
    # characters that are not what they seem
    "cyrillic-o": characters("is non-exclusive", "is n\u043en-exclusive", "mixed-script"),
    "greek-omicron-word": characters("exclusive.", "excl\u03bfsive.", "mixed-script"),
    "word-joiner": characters("non-exclusive", "non-\u2060exclusive", "invisible-character"),
    "zero-width-space": characters("non-exclusive", "non-excl\u200busive", "invisible-character"),
    "bidi-override": characters("is non-exclusive", "is \u202enon-exclusive\u202c", "bidi-control"),
    "fullwidth": characters("is non-exclusive", f"is {fullwidth('non')}-exclusive", "lookalike"),
    "combining-strike": characters("non-exclusive", "n\u0336o\u0336n\u0336-exclusive", "lookalike"),
}


def party_address(pkg: Package) -> Expect:
    """A party's address changed on the parties page: it still fits the template, but not the deal."""
    party = next(p for p in paragraphs(pkg.document) if "an NHS body with ODS code" in "".join(p.itertext()))
    t = next(t for t in party.iter(w("t")) if "Infirmary Road" in (t.text or ""))
    t.text = (t.text or "").replace("Infirmary Road", "Harbour Road")
    return Expect("added", None, where(pkg, party))


AGAINST_ONLY: dict[str, Technique] = {"only-partner-in-table-cell": in_table_cell, "party-address": party_address}


def kinds_of(pattern: str) -> list[str]:
    return [name for name in TECHNIQUES if re.search(pattern, name)]

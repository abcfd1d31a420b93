"""Build templates/agreement.docx, the centre's Word template.

The template is generated so that its styles and numbering are exact and reviewable; the centre
may restyle the result in Word (fonts, spacing, colours) as long as the style names and the
{{ ... }} tags stay. `contractkit lint` checks both. Run `make template` after editing this file;
a test fails while the committed .docx is out of step with this script.

Usage: python templates/build_template.py [OUT.docx]
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

FONT = "Liberation Sans"
BODY_PT = 10.5
INK = RGBColor(0x1F, 0x1F, 0x1F)
ACCENT = RGBColor(0x00, 0x30, 0x87)  # NHS dark blue
INDENT = [0.0, 1.27, 2.54, 3.81]  # cm: heading, 1.1, 1.1.1, (a)


def _numbering_xml(abstract_id: int, levels: list[tuple[str, str, float, float]]) -> str:
    body = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:tabs><w:tab w:val="num" w:pos="{int(left * 567)}"/></w:tabs>'
        f'<w:ind w:left="{int(left * 567)}" w:hanging="{int(hang * 567)}"/></w:pPr>'
        f'<w:rPr><w:b w:val="{1 if i == 0 else 0}"/></w:rPr></w:lvl>'
        for i, (fmt, text, left, hang) in enumerate(levels)
    )
    return (f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            f'<w:multiLevelType w:val="multilevel"/>{body}</w:abstractNum>')


LISTS = {
    # abstract id: levels (format, text, left indent cm, hanging cm)
    1: [("decimal", "%1.", 1.27, 1.27), ("decimal", "%1.%2", 1.27, 1.27),
        ("decimal", "%1.%2.%3", 2.54, 1.27), ("lowerLetter", "(%4)", 3.81, 1.27)],   # clauses
    2: [("decimal", "%1.", 1.27, 1.27), ("decimal", "%1.%2", 1.27, 1.27),
        ("decimal", "%1.%2.%3", 2.54, 1.27), ("lowerLetter", "(%4)", 3.81, 1.27)],   # schedule paragraphs
    3: [("upperLetter", "(%1)", 1.27, 1.27)],                                        # recitals
    4: [("decimal", "(%1)", 1.27, 1.27)],                                            # parties
}
NUM_IDS = {1: 101, 2: 102, 3: 103, 4: 104}


def add_numbering(doc: Document) -> None:
    numbering = doc.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)
    for abstract_id, levels in LISTS.items():
        numbering.append(parse_xml(_numbering_xml(abstract_id, levels)))
    for abstract_id, num_id in NUM_IDS.items():
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                                   f'<w:abstractNumId w:val="{abstract_id}"/></w:num>'))


def _bind(style, num_id: int, level: int) -> None:
    ppr = style.element.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def _outline(style, level: int) -> None:
    style.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="{level}"/>'))


def paragraph_style(doc, name, *, size=BODY_PT, bold=False, caps=False, before=0, after=6, left=0.0,
                    hanging=0.0, align=None, keep_next=False, color=None, base="Normal", page_break=False):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles[base]
    style.quick_style = True
    font = style.font
    font.name, font.size, font.bold, font.all_caps = FONT, Pt(size), bold, caps
    font.color.rgb = color or INK
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.left_indent, fmt.first_line_indent = Cm(left), Cm(-hanging) if hanging else None
    fmt.keep_with_next, fmt.page_break_before = keep_next, page_break
    fmt.line_spacing = 1.15
    if align is not None:
        fmt.alignment = align
    return style


def add_styles(doc: Document) -> None:
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size, normal.font.color.rgb = FONT, Pt(BODY_PT), INK
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), FONT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    # Operative clauses: 1. / 1.1 / 1.1.1 / (a), bound to list 1.
    _outline(_numbered(paragraph_style(doc, "Clause 1", bold=True, caps=True, before=12, after=6, keep_next=True,
                                       color=ACCENT), 1, 0), 1)
    for level in (1, 2, 3):
        _numbered(paragraph_style(doc, f"Clause {level + 1}", align=justify), 1, level)
        paragraph_style(doc, f"Clause Text {level + 1}", left=INDENT[level] if level > 1 else 1.27, align=justify)
    # Schedules: a title per schedule, then paragraphs numbered by list 2 (restarted per schedule).
    _outline(paragraph_style(doc, "Schedule Title", size=12, bold=True, caps=True, after=12, keep_next=True,
                             align=WD_ALIGN_PARAGRAPH.CENTER, color=ACCENT, page_break=True), 0)
    _outline(_numbered(paragraph_style(doc, "Schedule 1", bold=True, before=10, keep_next=True), 2, 0), 1)
    for level in (1, 2, 3):
        _numbered(paragraph_style(doc, f"Schedule {level + 1}", align=justify), 2, level)
    paragraph_style(doc, "Schedule Text", align=justify)
    paragraph_style(doc, "Part Heading", bold=True, caps=True, before=18, after=8, keep_next=True, color=ACCENT)
    _numbered(paragraph_style(doc, "Recital", align=justify), 3, 0)
    _numbered(paragraph_style(doc, "Party", align=justify), 4, 0)
    paragraph_style(doc, "Cover Status", size=14, bold=True, caps=True, align=WD_ALIGN_PARAGRAPH.RIGHT,
                    color=RGBColor(0xB0, 0x00, 0x20))
    paragraph_style(doc, "Cover Date", size=11, before=48, after=36, align=WD_ALIGN_PARAGRAPH.LEFT)
    paragraph_style(doc, "Cover Party", size=12, after=12, left=1.27, hanging=1.27)
    paragraph_style(doc, "Cover Title", size=22, bold=True, caps=True, before=72, after=12, color=ACCENT)
    paragraph_style(doc, "Cover Subtitle", size=13, after=48)
    paragraph_style(doc, "Cover Detail", size=10, after=2)
    paragraph_style(doc, "Contents Heading", size=12, bold=True, caps=True, after=12, color=ACCENT)
    contents = paragraph_style(doc, "Contents Entry", after=2, left=1.27, hanging=1.27)
    contents.paragraph_format.tab_stops.add_tab_stop(Cm(1.27))
    contents.paragraph_format.tab_stops.add_tab_stop(Cm(16.0), alignment=2, leader=1)  # right, dots
    paragraph_style(doc, "Signature Heading", bold=True, before=18, after=6, keep_next=True)
    paragraph_style(doc, "Signature Line", before=24, after=2, keep_next=True)
    # Name and title lines keep with the next line, so a signature block never splits across pages.
    paragraph_style(doc, "Signature Detail", after=2, keep_next=True)
    paragraph_style(doc, "Table Text", size=9.5, after=2)
    paragraph_style(doc, "Table Heading", size=9.5, bold=True, after=2, color=RGBColor(0xFF, 0xFF, 0xFF))
    paragraph_style(doc, "Header Text", size=8.5, after=0, color=RGBColor(0x55, 0x55, 0x55))
    add_table_style(doc)


def _numbered(style, list_id: int, level: int):
    _bind(style, NUM_IDS[list_id], level)
    style.paragraph_format.left_indent = None
    style.paragraph_format.first_line_indent = None
    return style


def add_table_style(doc: Document) -> None:
    style = doc.styles.add_style("Contract Table", WD_STYLE_TYPE.TABLE)
    style.base_style = doc.styles["Normal Table"]
    style.element.append(parse_xml(
        f'<w:tblPr {nsdecls("w")}><w:tblBorders>'
        + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="8A8A8A"/>'
                  for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + '</w:tblBorders><w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
        '<w:bottom w:w="57" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr>'))


def para(doc, text="", style="Normal", *, bold_parts=()):
    """A paragraph whose text may mix plain and bold pieces: [('plain', False), ('bold', True)]."""
    p = doc.add_paragraph(style=style)
    for piece, bold in bold_parts or [(text, False)]:
        run = p.add_run(piece)
        run.bold = bold or None
    return p


def page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _field(paragraph, instruction: str, cached: str) -> None:
    for kind, extra in (("begin", None), ("instr", instruction), ("separate", None), ("text", cached), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {extra} "
            run._r.append(el)
        elif kind == "text":
            run.text = extra
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)


# A diagonal "DRAFT" watermark, as Word writes one: a VML WordArt shape anchored in the header, so
# it sits behind the text of every page. LibreOffice imports it and draws it into the PDF.
WATERMARK = (
    '<w:r {ns}><w:pict><v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    + "".join(f'<v:f eqn="{eqn}"/>' for eqn in (
        "sum #0 0 10800", "prod #0 2 1", "sum 21600 0 @1", "sum 0 0 @2", "sum 21600 0 @3", "if @0 @3 0",
        "if @0 21600 @1", "if @0 0 @2", "if @0 @4 21600", "mid @5 @6", "mid @8 @5", "mid @7 @8", "mid @6 @7",
        "sum @6 0 @5"))
    + '</v:formulas><v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" '
    'o:connectangles="270,180,90,0"/><v:textpath on="t" fitshape="t"/>'
    '<o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>'
    '<v:shape id="PowerPlusWaterMarkObject{n}" o:spid="_x0000_s{spid}" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:453pt;height:151pt;rotation:315;'
    'z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;'
    'mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" '
    'fillcolor="#d9d9d9" stroked="f"><v:fill opacity=".5"/>'
    '<v:textpath style="font-family:&quot;Liberation Sans&quot;;font-size:1pt" string="DRAFT"/>'
    '</v:shape></w:pict></w:r>'
)
VML_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
          'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"')


def watermark(paragraph, n: int) -> None:
    """Add the DRAFT watermark to a header paragraph, kept only while `agreement.draft` is true."""
    paragraph.add_run("{%r if agreement.draft %}")
    paragraph._p.append(parse_xml(WATERMARK.format(ns=VML_NS, n=n, spid=2048 + n)))
    paragraph.add_run("{%r endif %}")


def header_footer(doc) -> None:
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.style = doc.styles["Header Text"]
    header.add_run("{{ agreement.reference }} · Version {{ agreement.version }}")
    header.add_run("{% if agreement.draft %} · DRAFT: SUBJECT TO CONTRACT{% endif %}").bold = True
    watermark(header, 1)
    cover = section.first_page_header.paragraphs[0]
    cover.style = doc.styles["Header Text"]
    watermark(cover, 2)
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Header Text"]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("Page ")
    _field(footer, "PAGE", "1")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES", "1")
    first = section.first_page_footer.paragraphs[0]
    first.style = doc.styles["Header Text"]
    first.add_run("{{ agreement.reference }} · Version {{ agreement.version }}")


def body(doc) -> None:
    para(doc, "{% if agreement.draft %}Draft: subject to contract{% else %}Final{% endif %}", "Cover Status")
    para(doc, "Dated {{ agreement.date }}", "Cover Date")
    para(doc, "{%p for p in parties %}", "Cover Party")
    para(doc, "({{ loop.index }})\t{{ p.name }}", "Cover Party")
    para(doc, "{%p endfor %}", "Cover Party")
    para(doc, "{{ agreement.title }}", "Cover Title")
    para(doc, "relating to {{ agreement.project }}", "Cover Subtitle")
    para(doc, "Agreement reference: {{ agreement.reference }}", "Cover Detail")
    para(doc, "Version: {{ agreement.version }} ({{ agreement.status }})", "Cover Detail")
    para(doc, "Playbook: {{ playbook.title }}, version {{ playbook.version }}", "Cover Detail")
    para(doc, "Clause library version: {{ library_version }}", "Cover Detail")
    page_break(doc)
    para(doc, "Contents", "Contents Heading")
    para(doc, "{{ contents }}", "Contents Entry")
    page_break(doc)
    para(doc, "", bold_parts=[("This Agreement", True), (" is dated {{ agreement.date }}.", False)])
    para(doc, "Parties", "Part Heading")
    para(doc, "{%p for p in parties %}", "Party")
    para(doc, "", "Party", bold_parts=[("{{ p.name }}", True), (", {{ p.description }} (", False),
                                       ("{{ p.short_name }}", True), (").", False)])
    para(doc, "{%p endfor %}", "Party")
    para(doc, "Background", "Part Heading")
    para(doc, "{%p for r in recitals %}", "Recital")
    para(doc, "{{ r }}", "Recital")
    para(doc, "{%p endfor %}", "Recital")
    para(doc, "Agreed terms", "Part Heading")
    para(doc, "{{ clauses }}", "Clause 2")
    para(doc, "This Agreement has been entered into on the date stated at the beginning of it.", "Normal")
    para(doc, "{{ schedules }}", "Schedule Text")
    p = para(doc, "Signatures", "Schedule Title")
    p.paragraph_format.page_break_before = True
    para(doc, "Each party signs this Agreement by its authorised signatory. It may be signed in counterparts "
              "and by electronic signature.", "Normal")
    para(doc, "{%p for s in signatories %}", "Signature Heading")
    para(doc, "Signed for and on behalf of {{ s.party_name }}", "Signature Heading")
    para(doc, "Signature: ______________________________________", "Signature Line")
    para(doc, "Name: {{ s.name }}", "Signature Detail")
    para(doc, "Title: {{ s.title }}", "Signature Detail")
    para(doc, "Date: ___________________", "Normal")
    para(doc, "{%p endfor %}", "Normal")


def build(out: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    add_numbering(doc)
    add_styles(doc)
    header_footer(doc)
    body(doc)
    doc.core_properties.title = "contractkit agreement template"
    doc.core_properties.author = "contractkit"
    doc.save(out)


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("agreement.docx"))

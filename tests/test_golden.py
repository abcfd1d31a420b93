"""Golden documents: the drafted example compared as normalised XML parts and as extracted text.

Never bytes: a readable diff of pretty-printed XML is shown on failure. After an intended change,
regenerate with CONTRACTKIT_REGEN_GOLDEN=1 pytest tests/test_golden.py and review the diff.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, example
from lxml import etree

from contractkit import api
from contractkit.library.loading import Library
from contractkit.trust.keys import CONFIG_ENV, Signer, key_path, write_private
from contractkit.word import xml as docx_io

GOLDEN = ROOT / "tests" / "golden"
PARTS = ("word/document.xml", "word/numbering.xml", "word/styles.xml", "docProps/custom.xml")
REGEN = bool(os.environ.get("CONTRACTKIT_REGEN_GOLDEN"))


def pretty(xml: bytes) -> str:
    """Canonical, indented XML: attribute order and whitespace cannot cause a difference."""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False)
    root = etree.fromstring(etree.tostring(etree.fromstring(xml, parser), method="c14n"), parser)
    return etree.tostring(root, pretty_print=True, encoding="unicode")


def compare(name: str, actual: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), name, "actual", n=2))
        pytest.fail(f"{name} differs from the golden file:\n{diff[:6000]}")


@pytest.fixture(scope="module")
def drafted(library: Library, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Signed with a fixed throwaway key, so that the manifest's signature is golden too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CONFIG_ENV, str(tmp_path_factory.mktemp("golden-config")))
        write_private(key_path(), Signer.from_seed(hashlib.sha256(b"contractkit golden key").digest()))
        deal = api.load_deal(example("northby-sepsis"), library)
        return api.render_docx(library, api.assemble(library, deal))


@pytest.mark.parametrize("part", PARTS)
def test_xml_parts_match_golden(drafted: bytes, part: str) -> None:
    xml = zipfile.ZipFile(io.BytesIO(drafted)).read(part)
    compare(f"northby-sepsis/{Path(part).name}", pretty(xml))


def test_text_matches_golden(drafted: bytes) -> None:
    blocks = docx_io.read_docx(drafted).blocks
    text = "\n".join(f"[{b.style}]{' {' + b.clause + '}' if b.clause else ''} {b.text}" for b in blocks)
    compare("northby-sepsis/text.txt", text + "\n")

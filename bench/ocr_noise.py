"""Measure the OCR noise that the rendered-page cross-check must forgive, on genuine PDFs.

Drafts every example as a PDF (contractkit's own, with its manifest) and converts the DOCX of one
with LibreOffice (a "Word-style" export without a manifest), OCRs every page as `verify` does and
prints, per page, the words that still differ after the noise rules. The largest count must stay
at or under contractkit.pdf.ocr.NOISE_BOUND; docs/verify.md records the figures.
Usage: .venv/bin/python bench/ocr_noise.py [EXAMPLE ...]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import CONTRACTKIT, ROOT, installed_like, run


def genuine(work: Path, names: list[str]) -> dict[str, bytes]:
    out = {}
    for name in names:
        pdf, docx = work / f"{name}.pdf", work / f"{name}.docx"
        run(CONTRACTKIT, "draft", str(ROOT / "examples" / f"{name}.yaml"), "-o", str(pdf))
        out[f"{name}.pdf"] = pdf.read_bytes()
        if name == names[0]:
            run(CONTRACTKIT, "draft", str(ROOT / "examples" / f"{name}.yaml"), "-o", str(docx))
            profile = f"-env:UserInstallation=file://{work / 'profile'}"
            command = ["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(work / "lo"), str(docx)]
            subprocess.run(command, check=True, capture_output=True, timeout=300)
            out[f"{name} (LibreOffice export)"] = (work / "lo" / f"{name}.pdf").read_bytes()
    return out


def measure(label: str, data: bytes) -> int:

    from contractkit.pdf.ocr import compare, printed_text
    from contractkit.pdf.read import PdfLimits, _read

    content, views = _read(data, PdfLimits(), time.monotonic() + 600)
    texts = content.page_texts
    printed = printed_text(data, views, seconds=600)
    worst, total, differing = 0, 0, 0
    for number, (ours, seen) in enumerate(zip(texts, printed, strict=True), 1):
        diff = compare(number, ours, seen)
        total, differing, worst = total + diff.words, differing + diff.differing, max(worst, diff.differing)
        if diff.differing:
            words = f"not printed {diff.not_printed}, not extracted {diff.not_extracted}"
            print(f"  {label} page {number}: {diff.differing} of {diff.words} words differ: {words}")
    rate = differing / max(total, 1)
    print(f"{label}: {len(texts)} pages, {total} words, {differing} differ ({rate:.2%}), worst page {worst}")
    return worst


def main() -> None:
    from contractkit.pdf.ocr import NOISE_BOUND, NOISE_SHARE

    installed_like()
    names = sys.argv[1:] or sorted(p.stem for p in (ROOT / "examples").glob("*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        worst = max(measure(label, data) for label, data in genuine(Path(tmp), names).items())
    bound = f"more than {NOISE_BOUND} + {NOISE_SHARE:.0%} of a page's words is a finding"
    print(f"worst page overall: {worst} differing words (bound: {bound})")


if __name__ == "__main__":
    main()

"""A plain `pip install` carries the shipped library, so contractkit works outside the repo."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT


def test_wheel_contains_the_library(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("contractkit-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "contractkit/_library/library.yaml" in names
    assert "contractkit/_library/library.pins.json" in names
    assert "contractkit/_library/exclusivity.yaml" in names
    assert "contractkit/_library/templates/agreement.docx" in names
    assert "contractkit/_library/clauses/non-exclusivity.yaml" in names
    assert any(n.startswith("contractkit/_library/playbooks/") for n in names)
    assert "contractkit/py.typed" in names

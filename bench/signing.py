"""Benchmark what signing manifests and checking release pins add to `contractkit draft`.

Measured in the same run: a whole `contractkit draft` of the example, and what signing adds to
it (importing cryptography's Ed25519 module, as whole processes with and without it; checking the
library against its pins; loading the key and signing the manifest). The run uses a configuration
folder of its own, so the user's keys are never touched.
Usage: .venv/bin/python bench/signing.py [--quick]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from common import CONTRACTKIT, ROOT, best_of, installed_like, run

WITHOUT = "import contractkit.api"
WITH = "import contractkit.api; import cryptography.hazmat.primitives.asymmetric.ed25519"


def in_process(runs: int) -> tuple[float, float, float]:
    """Seconds to check the pins, to load the key and sign the manifest, and to check that signature."""
    from contractkit import api
    from contractkit.library.pins import require
    from contractkit.trust import keys, signing

    library = api.load_library(ROOT)
    agreement = api.prepare(library, ROOT / "examples" / "northby-sepsis.yaml")
    centre = keys.centre()
    pins = best_of(runs, lambda: require(library, centre))
    sign = best_of(runs, lambda: agreement.manifest_json(keys.installation_signer()))
    manifest = signing.sign(agreement.manifest(), keys.installation_signer(), "manifest")  # type: ignore[arg-type]
    ring = keys.drafters()
    check = best_of(runs, lambda: signing.check(manifest, ring, "manifest"))
    return pins, sign, check


def import_cost(runs: int) -> float:
    """What importing the Ed25519 module adds to a process: the two processes run in turn, and the
    fastest of each is compared, since on a shared machine the slow runs measure the neighbours."""
    fastest = {WITHOUT: float("inf"), WITH: float("inf")}
    for _ in range(runs):
        for code in (WITHOUT, WITH):
            start = time.perf_counter()
            run(sys.executable, "-c", code)
            fastest[code] = min(fastest[code], time.perf_counter() - start)
    return fastest[WITH] - fastest[WITHOUT]


def main() -> None:
    quick = "--quick" in sys.argv
    runs = 3 if quick else 15
    installed_like()
    os.environ["CONTRACTKIT_CONFIG_DIR"] = str(Path(tempfile.mkdtemp(prefix="contractkit-bench-config-")) / "ck")
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "x.docx")
        deal = str(ROOT / "examples" / "northby-sepsis.yaml")
        draft = best_of(runs, lambda: run(CONTRACTKIT, "draft", deal, "-o", out, "--force"))
    crypto = import_cost(runs * 2)
    pins, sign, check = in_process(runs * 20)
    added = crypto + pins + sign
    print("signing and release pins (median times)")
    print(f"  contractkit draft (whole process)      {draft:7.4f}s")
    print(f"  import cryptography's Ed25519 module   {crypto:7.4f}s")
    print(f"  check the library against its pins     {pins:7.4f}s")
    print(f"  load the key and sign the manifest     {sign:7.4f}s")
    print(f"  check a manifest's signature (verify)  {check:7.4f}s")
    print(f"  added to a draft: {added:.4f}s = {added / draft:.1%} of the draft")


if __name__ == "__main__":
    main()

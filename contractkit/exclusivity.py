"""The exclusivity detector's public face, where docs/api.md shows it: `from contractkit.exclusivity
import Parties, detect`.

The detector is contractkit.library.exclusivity (with the rule file's model in
library.exclusivity_rules); this module only re-exports it, at the API's level, so that programs
written against the documented import keep working whatever the package's folders are.
"""

from __future__ import annotations

from contractkit.library.exclusivity import Hit, Parties, detect

__all__ = ["Hit", "Parties", "detect"]

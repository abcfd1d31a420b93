"""Negotiation: positions, swaps that edit the deal in place, refusals, approvals and history."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from conftest import example, paragraphs
from ruamel.yaml.comments import CommentedMap

from contractkit import api
from contractkit.drafting.tables import deviations as deviation_table
from contractkit.errors import ContractkitError
from contractkit.library import yamlio
from contractkit.library.deal import HistoryApproval
from contractkit.library.deal_loading import load_deal
from contractkit.library.loading import Library
from contractkit.library.model import Rung
from contractkit.negotiation import negotiate
from contractkit.word import xml as docx_io

Cli = Callable[..., Result]
WHEN = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)


@pytest.fixture
def deal(tmp_path: Path) -> Path:
    path = tmp_path / "deal.yaml"
    shutil.copy(example("northby-sepsis"), path)
    return path


@dataclass(frozen=True)
class Ladder:
    """A negotiable clause of the shipped playbook whose first fallback needs an approval."""

    clause: str
    rungs: list[Rung]

    @property
    def preferred(self) -> str:
        return self.rungs[0].position

    def role(self, n: int) -> str:
        return self.rungs[n].approver


def ladders(library: Library) -> list[Ladder]:
    entries = library.playbooks["research-collaboration"].entries()
    found = [Ladder(e.clause, e.ladder.rungs) for e in entries if e.ladder and len(e.ladder.rungs) >= 3]
    return [x for x in found if x.role(1) != "negotiator" and x.role(2) != "negotiator"]


@pytest.fixture
def vs(library: Library) -> Ladder:
    return ladders(library)[0]


@pytest.fixture
def other(library: Library) -> Ladder:
    return ladders(library)[1]


def label(library: Library, clause: str, position: str) -> str:
    return library.clause(clause).positions[position].label or position


def history(path: Path, library: Library) -> list[tuple[str, str, str, object]]:
    loaded = load_deal(path, library)[0]
    return [(h.clause, h.from_, h.to, h.approval) for h in loaded.history]


def bumped(text: str, version: int) -> str:
    """The deal text as a swap leaves it above the edited blocks: the agreement's version raised."""
    return text.replace("  version: 1\n", f"  version: {version}\n", 1).replace(
        "  version: 1\r\n", f"  version: {version}\r\n", 1
    )


def around(text: str, key: str) -> str:
    """The comment line before a top-level key, the key and its block."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "-")), len(lines))
    return "\n".join(lines[start - 1 : end])


# ----------------------------------------------------------------------------- positions


def test_positions_json_lists_ladders_and_locked_clauses(cli: Cli, deal: Path, library: Library, vs: Ladder) -> None:
    result = cli("positions", deal, "--format", "json")
    assert result.exit_code == 0, result.stderr
    items = {i["clause"]: i for i in json.loads(result.output)}
    value = items[vs.clause]
    assert {"clause", "status", "current", "preferred", "ladder", "pending_approval"} <= set(value)
    assert value["current"] == value["preferred"] == vs.preferred
    assert value["ladder"] == [
        {"position": r.position, "label": label(library, vs.clause, r.position), "approver": r.approver}
        for r in vs.rungs
    ]
    assert value["guidance"] and value["walk_away"] and value["pending_approval"] is False
    assert items["non-exclusivity"]["status"] == "locked" and items["non-exclusivity"]["ladder"] == []
    locked = {c.id for c in library.clauses.values() if c.status == "locked"}
    playbook = {e.clause for e in library.playbooks["research-collaboration"].entries()}
    assert {k for k, v in items.items() if v["status"] == "locked"} == locked & playbook


def test_positions_text_marks_current_rung_and_pending(cli: Cli, deal: Path, vs: Ladder) -> None:
    fallback = vs.rungs[1].position
    assert cli("swap", deal, vs.clause, fallback, "--by", "Sam").exit_code == 0
    out = cli("positions", deal).output
    assert f"{vs.clause}  [negotiable]  current: {fallback}  preferred: {vs.preferred}  APPROVAL PENDING" in out
    assert f"* fallback 1  {fallback}" in out
    assert "non-exclusivity  [locked]" in out


# ----------------------------------------------------------------------------- swaps


def test_swap_round_trip_keeps_comments_and_records_history(cli: Cli, deal: Path, library: Library, vs: Ladder) -> None:
    original = deal.read_text(encoding="utf-8")
    prefix = original[: original.index("# Clause id to position id")]
    one, two = vs.rungs[1].position, vs.rungs[2].position
    steps = [
        (one, ["--approved-by", "Jo Approver", "--role", vs.role(1), "--note", "partner asked: 'why?' #3"]),
        (two, []),
        (vs.preferred, []),
    ]
    for n, (position, extra) in enumerate(steps, 2):
        result = cli("swap", deal, vs.clause, position, "--by", "Sam Negotiator", *extra)
        assert result.exit_code == 0, result.stderr
        assert f"now version {n}" in result.stderr
        text = deal.read_text(encoding="utf-8")
        assert text.startswith(bumped(prefix, n))  # every other byte before the edit is kept
        assert around(text, "positions") == (
            f"# Clause id to position id; missing means preferred.\npositions:\n  {vs.clause}: {position}"
        )
    text = deal.read_text(encoding="utf-8")
    assert around(text, "history").startswith(
        "# Negotiation log written by contractkit swap.\nhistory:\n  - timestamp: '"
    )
    assert (
        f"    approval:\n      name: Jo Approver\n      role: {vs.role(1)}\n    note: \"partner asked: 'why?' #3\""
        in text
    )
    assert history(deal, library) == [
        (vs.clause, vs.preferred, one, HistoryApproval(name="Jo Approver", role=vs.role(1))),
        (vs.clause, one, two, "pending"),
        (vs.clause, two, vs.preferred, "not-required"),
    ]
    state = next(s for s in negotiate.positions(library, load_deal(deal, library)[0]) if s.clause.id == vs.clause)
    assert state.current == vs.preferred and not state.pending


HAND_WRITTEN = """\
positions:
  # agreed at the second meeting
  {clause}: '{one}'   # signed off
history:
  # first round
  - timestamp: '2026-01-05T09:00:00Z'
    clause: {clause}
    from: {preferred}
    to: {one}
    by: Sam
    approval: {{name: Lee Lawyer, role: {role}}}
# the end of the deal file
"""


def test_swap_edits_hand_written_blocks_in_place(deal: Path, library: Library, vs: Ladder, other: Ladder) -> None:
    text = deal.read_text(encoding="utf-8")
    one, two = vs.rungs[1].position, vs.rungs[2].position
    hand = HAND_WRITTEN.format(clause=vs.clause, one=one, preferred=vs.preferred, role=vs.role(1))
    text = text[: text.index("# Clause id to position id")] + hand
    deal.write_text(text, encoding="utf-8")
    swap = negotiate.SwapRequest(other.clause, other.rungs[1].position, "Sam", "Bo", other.role(1))
    negotiate.swap(library, deal, swap, now=WHEN)
    negotiate.swap(library, deal, negotiate.SwapRequest(vs.clause, two, "Sam", "Lee Lawyer", vs.role(2)), now=WHEN)
    edited = deal.read_text(encoding="utf-8")
    model = library.clause(other.clause).positions[other.rungs[1].position].states  # the wording's facts follow
    head = bumped(text[: text.index("positions:")], 3)
    for path, value in model.items():
        head = head.replace(f"    {path.rsplit('.', 1)[-1]}: milestones\n", f"    {path.rsplit('.', 1)[-1]}: {value}\n")
    assert edited.startswith(head)
    assert (
        f"positions:\n  # agreed at the second meeting\n  {vs.clause}: {two}   # signed off\n"
        f"  {other.clause}: {other.rungs[1].position}\nhistory:\n"
    ) in edited
    assert f"    approval: {{name: Lee Lawyer, role: {vs.role(1)}}}\n  - timestamp: '2026-03-04T05:06:07Z'\n" in edited
    assert edited.endswith(f"      role: {vs.role(2)}\n# the end of the deal file\n")
    assert [h[2] for h in history(deal, library)] == [one, other.rungs[1].position, two]


def refusals(library: Library) -> list[tuple[list[str], str]]:
    vs = ladders(library)[0]
    roles = [r for r in library.meta.roles if r not in (vs.role(1), "negotiator")]
    fixed = next(
        e.clause
        for e in library.playbooks["research-collaboration"].entries()
        if e.ladder is None and library.clause(e.clause).status != "locked"
    )
    return [
        (["non-exclusivity", "standard"], "is locked: it protects P3"),
        (["transparency", "other"], "is locked: it protects P4"),
        ([vs.clause, "no-such-position"], "not on the approved ladder"),
        ([vs.clause, vs.rungs[1].position, "--approved-by", "Lee", "--role", roles[0]], "not entitled to approve"),
        ([vs.clause, vs.rungs[1].position, "--approved-by", "Lee", "--role", "boss"], f"approved by {vs.role(1)!r}"),
        (["no-such-clause", "x"], "unknown clause 'no-such-clause'"),
        ([fixed, "standard"], "not negotiable"),
        ([vs.clause, vs.preferred], f"already on {vs.preferred!r}"),
    ]


def test_refusals_leave_the_file_byte_for_byte_unchanged(cli: Cli, deal: Path, library: Library) -> None:
    before = deal.read_bytes()
    for args, reason in refusals(library):
        result = cli("swap", deal, *args, "--by", "Sam")
        assert result.exit_code == 1, args
        assert reason in result.stderr and "Traceback" not in result.output, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1
        assert deal.read_bytes() == before, args


def test_approval_needs_name_and_role(cli: Cli, deal: Path, vs: Ladder) -> None:
    before = deal.read_bytes()
    assert cli("swap", deal, vs.clause, vs.rungs[1].position, "--by", "Sam", "--approved-by", "Jo").exit_code == 2
    assert deal.read_bytes() == before


def test_pending_approval_blocks_final_until_recorded(cli: Cli, deal: Path, tmp_path: Path, vs: Ladder) -> None:
    one = vs.rungs[1].position
    assert cli("swap", deal, vs.clause, one, "--by", "Sam").exit_code == 0
    out = tmp_path / "final.docx"
    refused = cli("draft", deal, "-o", out, "--final")
    assert refused.exit_code == 1 and "approval pending" in refused.stderr and not out.exists()
    recorded = cli("swap", deal, vs.clause, one, "--by", "Sam", "--approved-by", "Lee", "--role", vs.role(1))
    assert recorded.exit_code == 0, recorded.stderr
    assert cli("draft", deal, "-o", out, "--final").exit_code == 0
    assert cli("swap", deal, vs.clause, vs.preferred, "--by", "Sam").exit_code == 0
    data = json.loads(cli("positions", deal, "--format", "json").output)
    assert not any(i["pending_approval"] for i in data)


def test_hand_edited_approval_by_the_wrong_role_blocks_final(deal: Path, library: Library, vs: Ladder) -> None:
    one = vs.rungs[1].position
    negotiate.swap(library, deal, negotiate.SwapRequest(vs.clause, one, "Sam", "Jo", vs.role(1)), now=WHEN)
    wrong = next(r for r in library.meta.roles if r not in (vs.role(1), "negotiator"))
    text = deal.read_text(encoding="utf-8").replace(f"role: {vs.role(1)}", f"role: {wrong}")
    deal.write_text(text, encoding="utf-8")
    agreement = api.assemble(library, load_deal(deal, library)[0])
    with pytest.raises(ContractkitError) as refused:
        negotiate.final_blockers(agreement)
    assert any(f"approval pending for {vs.clause}" in line for line in refused.value.lines())
    rows = deviation_table(agreement)[0]
    assert [r[3] for r in rows[1:]] == ["Pending"]


def test_approved_deviations_schedule_and_table(
    cli: Cli, deal: Path, library: Library, vs: Ladder, other: Ladder
) -> None:
    one, two = vs.rungs[1].position, other.rungs[1].position
    cli("swap", deal, vs.clause, one, "--by", "Sam", "--approved-by", "Jo Approver", "--role", vs.role(1))
    cli("swap", deal, other.clause, two, "--by", "Sam")
    out = deal.parent / "draft.docx"
    assert cli("draft", deal, "-o", out).exit_code == 0
    texts = paragraphs(out.read_bytes())
    start = next(i for i, t in enumerate(texts) if "Approved Deviations" in t and t.startswith("Schedule"))
    schedule = texts[start:]
    role = library.meta.role_label
    expected = [library.clause(vs.clause).title, label(library, vs.clause, one), role(vs.role(1)), "Jo Approver"]
    expected += [library.clause(other.clause).title, label(library, other.clause, two), role(other.role(1)), "Pending"]
    for item in expected:
        assert any(item in t for t in schedule), item
    table = cli("positions", deal, "--deviations").output
    assert "Approver role" in table and "Jo Approver" in table and "Pending" in table
    rows = json.loads(cli("positions", deal, "--deviations", "--format", "json").output)
    assert {(r["clause"], r["approver"], r["approved_by"], r["pending"]) for r in rows} == {
        (vs.clause, vs.role(1), "Jo Approver", False),
        (other.clause, other.role(1), None, True),
    }


def test_negotiator_rung_needs_no_approval(workspace: Callable[..., Path], tmp_path: Path, library: Library) -> None:
    vs = ladders(library)[0]
    root = workspace()
    path = root / "playbooks" / "research-collaboration.yaml"
    tree = yamlio.load(path).tree
    for section in tree["sections"]:
        for entry in section["clauses"]:
            if isinstance(entry, CommentedMap) and entry.get("clause") == vs.clause:
                entry["ladder"]["fallbacks"][0]["approver"] = "negotiator"
    path.write_text(yamlio.dump(tree), encoding="utf-8")
    changed = api.load_library(root)
    deal = tmp_path / "deal.yaml"
    shutil.copy(example("northby-sepsis"), deal)
    result = negotiate.swap(changed, deal, negotiate.SwapRequest(vs.clause, vs.rungs[1].position, "Sam", "X", "y"))
    assert result.entry.approval == "not-required"
    negotiate.final_blockers(api.assemble(changed, result.after))


def test_swap_writes_the_redline(cli: Cli, deal: Path, tmp_path: Path, vs: Ladder) -> None:
    redline = tmp_path / "redline.docx"
    redline.write_bytes(b"keep me")
    before = deal.read_bytes()
    one = vs.rungs[1].position
    refused = cli("swap", deal, vs.clause, one, "--by", "Sam", "--redline", redline)
    assert refused.exit_code == 1 and "already exists" in refused.stderr
    assert deal.read_bytes() == before and redline.read_bytes() == b"keep me"
    done = cli("swap", deal, vs.clause, one, "--by", "Sam", "--redline", redline, "--force")
    assert done.exit_code == 0, done.stderr
    blocks = docx_io.read_docx(redline.read_bytes()).blocks
    assert any(b.inserted for b in blocks) and any(b.deleted for b in blocks)
    assert any(b.clause == vs.clause and b.has_revisions for b in blocks)


def test_concurrent_swaps_lose_no_history_entry(deal: Path, library: Library, vs: Ladder) -> None:
    names = [f"Approver {n}" for n in range(6)]
    errors: list[BaseException] = []
    one = vs.rungs[1].position

    def approve(name: str) -> None:
        try:
            negotiate.swap(library, deal, negotiate.SwapRequest(vs.clause, one, "Sam", name, vs.role(1)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    entries = history(deal, library)
    assert len(entries) == len(names)
    assert {a.name for *_, a in entries if isinstance(a, HistoryApproval)} == set(names)


@pytest.mark.parametrize("variant", ["missing", "flow", "crlf"])
def test_swap_handles_missing_flow_and_crlf_blocks(deal: Path, library: Library, vs: Ladder, variant: str) -> None:
    text = deal.read_text(encoding="utf-8")
    head = text[: text.index("# Clause id to position id")]
    if variant == "missing":
        text = head
    elif variant == "flow":
        text = head + f"positions: {{{vs.clause}: {vs.rungs[1].position}}}\nhistory: []\n"
    else:
        text, head = text.replace("\n", "\r\n"), head.replace("\n", "\r\n")
    deal.write_bytes(text.encode("utf-8"))
    negotiate.swap(library, deal, negotiate.SwapRequest(vs.clause, vs.rungs[2].position, "Sam"), now=WHEN)
    edited = deal.read_bytes().decode("utf-8")
    assert edited.startswith(bumped(head, 2))
    assert ("\n" in edited.replace("\r\n", "")) is (variant != "crlf")
    tail = edited[len(head) :].replace("\r\n", "\n")
    assert tail.index(f"positions:\n  {vs.clause}: {vs.rungs[2].position}\n") < tail.index("history:\n  - timestamp")
    assert history(deal, library)[-1][1:3] == (
        vs.rungs[1].position if variant == "flow" else vs.preferred,
        vs.rungs[2].position,
    )

"""What a lawyer sees when drafting: warnings and --final, the swap that leaves a gap, schedules
in words, numbered special conditions, batch progress and the negotiator's listing."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import example, paragraphs

from contractkit import api
from contractkit.library.deal_loading import load_deal
from contractkit.library.loading import Library
from contractkit.word import xml as docx_io

Cli = Callable[..., Result]
BLANK = "[not stated: subscription amount]"


@pytest.fixture
def deal(tmp_path: Path) -> Path:
    path = tmp_path / "deal.yaml"
    shutil.copy(example("northby-sepsis"), path)
    return path


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_swap_to_subscription_without_an_amount_drafts_a_draft_and_refuses_final(
    cli: Cli, deal: Path, tmp_path: Path
) -> None:
    """The case from the issue: the swap is recorded with a warning naming the missing fact; a draft
    shows a visible blank and the warning; --final refuses, located, until the amount is given."""
    swapped = cli("swap", deal, "value-share", "subscription", "--by", "Sam Okafor")
    assert swapped.exit_code == 0, swapped.stderr
    assert "now version 2" in swapped.stderr
    assert "commercial.value_share.subscription_amount: warning: not given, but value-share -> subscription" in (
        swapped.stderr
    )
    text = deal.read_text(encoding="utf-8")
    assert "  version: 2\n" in text and "    model: subscription\n" in text
    assert "# cost-recovery, upfront, subscription, milestones, royalty or in-kind.\n    model: subscription" in text
    assert sorted(p.name for p in deal.parent.iterdir()) == ["deal.yaml"]  # no lock file left behind

    out = tmp_path / "draft.docx"
    drafted = cli("draft", deal, "-o", out)
    assert drafted.exit_code == 0, drafted.stderr
    where = line_of(deal, "  value_share:")
    assert f"{deal}:{where} commercial.value_share.subscription_amount: warning: not given" in drafted.stderr
    assert "1 warning(s)" in drafted.stderr
    body = "\n".join(paragraphs(out.read_bytes()))
    assert f"a subscription of {BLANK} for each year" in body
    assert "to be agreed" not in body

    final = tmp_path / "final.docx"
    refused = cli("draft", deal, "-o", final, "--final")
    assert refused.exit_code == 1 and not final.exists()
    assert f"{deal}:{where} commercial.value_share.subscription_amount: cannot produce a final version" in (
        refused.stderr
    )
    assert "approval pending for value-share -> subscription (needs board)" in refused.stderr

    approved = cli("swap", deal, "value-share", "subscription", "--by", "Sam", "--approved-by", "Jo", "--role", "board")
    assert approved.exit_code == 0, approved.stderr
    still = cli("draft", deal, "-o", final, "--final")
    assert still.exit_code == 1 and "subscription_amount: cannot produce a final version" in still.stderr
    assert "approval pending" not in still.stderr

    deal.write_text(
        deal.read_text(encoding="utf-8").replace(
            "    model: subscription\n", "    model: subscription\n    subscription_amount: '65000.00'\n"
        ),
        encoding="utf-8",
    )
    done = cli("draft", deal, "-o", final, "--final")
    assert done.exit_code == 0, done.stderr
    assert "a subscription of £65,000.00 for each year" in "\n".join(paragraphs(final.read_bytes()))


def test_swap_keeps_the_file_and_bumps_the_version_each_time(cli: Cli, deal: Path, library: Library) -> None:
    original = deal.read_text(encoding="utf-8")
    for n, position in enumerate(["upfront", "royalty", "milestones"], 2):
        assert cli("swap", deal, "value-share", position, "--by", "Sam").exit_code == 0
        loaded = load_deal(deal, library)[0]
        assert loaded.agreement.version == n
        assert loaded.commercial.value_share.model == position == loaded.positions["value-share"]
    text = deal.read_text(encoding="utf-8")
    head = original[: original.index("# Clause id to position id")]
    assert text.startswith(head.replace("  version: 1\n", "  version: 4\n"))  # model back to milestones
    assert not list(deal.parent.glob(".*lock*"))


def test_positions_shows_rung_labels(cli: Cli, deal: Path) -> None:
    out = cli("positions", deal).output
    assert re.search(r"\* preferred\s+milestones\s+Milestone payments\s+approver: negotiator", out)
    assert re.search(r"fallback 3\s+royalty\s+Revenue royalty\s+approver: board", out)


def test_positions_follows_the_deals_value_share_model(cli: Cli, deal: Path) -> None:
    deal.write_text(
        deal.read_text(encoding="utf-8").replace("    model: milestones\n", "    model: royalty\n"), encoding="utf-8"
    )
    out = cli("positions", deal).output
    assert "value-share  [negotiable]  current: royalty  preferred: milestones  APPROVAL PENDING" in out


def test_special_conditions_are_numbered_sub_clauses(library: Library) -> None:
    deal = api.load_deal(example("harbourside-chest-xray-ai"), library)
    agreement = api.assemble(library, deal)
    placed = next(c for c in agreement.clauses if c.id == "special-conditions")
    n = placed.number
    assert [p.number for p in placed.paragraphs] == [f"{n}.1", f"{n}.2", f"{n}.3"]
    assert [p.text for p in placed.paragraphs[1:]] == [" ".join(c.split()) for c in deal.special_conditions]
    blocks = [b for b in docx_io.read_docx(api.render_docx(library, agreement)).blocks if b.clause == placed.id]
    assert [b.style for b in blocks] == ["Clause 1", "Clause 2", "Clause 2", "Clause 2"]


def test_a_special_condition_is_data_never_template_code(cli: Cli, deal: Path, tmp_path: Path) -> None:
    hostile = "{% for x in deal.partners %}{{ 7*7 }}{% endfor %} and {{ deal.contact.email }}"
    deal.write_text(
        deal.read_text(encoding="utf-8").replace("special_conditions: []", f"special_conditions:\n  - '{hostile}'"),
        encoding="utf-8",
    )
    out = tmp_path / "x.docx"
    assert cli("draft", deal, "-o", out).exit_code == 0
    assert any(hostile in text for text in paragraphs(out.read_bytes()))


CODES = {
    "sde", "nhs-analysts", "release", "pseudonymised", "applied", "not-applicable", "granted", "pending",
    "not-required", "legal-lead", "information-governance", "caldicott-guardian", "board", "centre",
    "controller", "joint-controller", "milestones", "subscription", "royalty", "in-kind", "cost-recovery",
    "non-exclusive",
}  # fmt: skip


@pytest.mark.parametrize("name", ["harbourside-chest-xray-ai", "cwm-alarch-diabetes-academic"])
def test_schedules_print_labels_not_codes(library: Library, name: str) -> None:
    agreement = api.assemble(library, api.load_deal(example(name), library))
    blocks = docx_io.read_docx(api.render_docx(library, agreement)).blocks
    cells = [b.text.strip() for b in blocks if b.style in ("Table Text", "Table Heading")]
    assert cells and not [c for c in cells if c in CODES or re.search(r"; (sde|release|nhs-analysts)$", c)]
    if agreement.deviations:
        assert any(library.meta.role_label(d.approver) in cells for d in agreement.deviations)


def test_a_schedule_does_not_cross_refer_to_itself_by_number(library: Library) -> None:
    agreement = api.assemble(library, api.load_deal(example("northby-sepsis"), library))
    for schedule in agreement.schedules:
        for placed in schedule.clauses:
            for para in placed.paragraphs:
                assert f"Schedule {schedule.number}" not in para.text, (schedule.number, para.text)
    spec = next(s for s in agreement.schedules if s.id == "data-specification").clauses[0]
    assert "unless it is added under paragraph 1.3 of this Schedule" in spec.paragraphs[0].text
    fees = next(c for c in agreement.clauses if c.id == "fees")
    assert "the fees set out in Schedule 4" in fees.paragraphs[0].text


def test_batch_creates_outdir_and_reports_each_deal_as_it_finishes(cli: Cli, deal: Path, tmp_path: Path) -> None:
    assert cli("swap", deal, "value-share", "subscription", "--by", "Sam").exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("playbook: research-collaboration\n", encoding="utf-8")
    outdir = tmp_path / "new" / "folder"
    result = cli("batch", example("northby-sepsis"), deal, bad, "--outdir", outdir, "--to", "docx", "--jobs", "1")
    assert result.exit_code == 1
    assert sorted(p.name for p in outdir.iterdir()) == ["deal.docx", "northby-sepsis.docx"]
    lines = result.stderr.splitlines()
    ok = [line for line in lines if ": wrote " in line]
    assert ok == [
        f"{example('northby-sepsis')}: wrote {outdir / 'northby-sepsis.docx'} (32 clauses, 0 warning(s))",
        f"{deal}: wrote {outdir / 'deal.docx'} (32 clauses, 1 warning(s))",
    ]
    warning = lines[lines.index(ok[1]) + 1]
    assert warning.startswith(f"  {deal}:") and "subscription_amount: warning:" in warning
    assert any(line.startswith(f"{bad}:") and "required field is missing" in line for line in lines)
    assert "1 warning(s)" in result.output  # the summary table on stdout


def test_batch_final_refuses_a_deal_with_a_gap(cli: Cli, deal: Path, tmp_path: Path) -> None:
    swapped = cli("swap", deal, "value-share", "subscription", "--by", "Sam", "--approved-by", "Jo", "--role", "board")
    assert swapped.exit_code == 0
    result = cli("batch", deal, "--outdir", tmp_path / "out", "--to", "docx", "--final")
    assert result.exit_code == 1 and not (tmp_path / "out" / "deal.docx").exists()
    assert "subscription_amount: cannot produce a final version" in result.stderr


def share_block() -> str:
    """The example's whole commercial.value_share block, as written."""
    text = example("northby-sepsis").read_text(encoding="utf-8")
    return text[text.index("  value_share:\n") : text.index("# Start, end and review dates.")]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (  # no version written: it is added as a line of its own, after the last one-line entry
            ("  # Draft number of this agreement.\n  version: 1\n", ""),
            ("  locale: en_GB\n", "  locale: en_GB\n  version: 2\n"),
        ),
        (  # a quoted value with a comment: the value changes, the comment stays
            ("    model: milestones\n", "    model: 'milestones'   # agreed in March\n"),
            ("    model: 'milestones'   # agreed in March\n", "    model: royalty   # agreed in March\n"),
        ),
        (  # a flow-style mapping is written again, still in flow style
            (share_block(), "  value_share: {model: milestones, headline_value: '250000', royalty_percent: '2.5'}\n"),
            ("  value_share: {model: milestones,", "  value_share: {model: royalty,"),
        ),
    ],
)
def test_swap_sets_the_stated_fact_however_the_file_is_written(
    deal: Path, library: Library, before: tuple[str, str], after: tuple[str, str]
) -> None:
    from contractkit.negotiation import negotiate

    text = deal.read_text(encoding="utf-8")
    assert before[0] in text
    text = text.replace(before[0], before[1], 1)
    deal.write_text(text, encoding="utf-8")
    result = negotiate.swap(library, deal, negotiate.SwapRequest("value-share", "royalty", "Sam"))
    edited = deal.read_text(encoding="utf-8")
    assert after[0] in text and after[1] in edited
    assert result.after.commercial.value_share.model == "royalty" and result.after.agreement.version == 2
    assert not result.warnings  # the royalty percentage is in the deal

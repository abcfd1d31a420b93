"""The web app in a real headless Chromium (Debian's, driven by Playwright; no browser download).

Each test walks one job as its user would: log in through the form, click, download, and check
the file with `contractkit verify` as a separate process. Every page visited is saved under
out/screens/ so a person can look at what the lawyer sees.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, needs_soffice, paragraphs
from webkit import HARBOURSIDE, HARBOURSIDE_FILE, PASSWORD, TRUST_A, example_deal, people

# Playwright's sync API runs an event loop in this thread; Django's ORM, used by the fixtures here
# while the live server answers the browser from its own thread, must be told that is expected.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import playwright.sync_api as playwright_api

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
SCREENS = ROOT / "out" / "screens"
CONTRACTKIT = str(Path(sys.executable).parent / "contractkit")

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"), reason="Chromium not installed; run `make test`"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(30_000)
    tab = context.new_page()
    yield tab
    context.close()


def shot(page: Any, name: str, *, whole: bool = True) -> None:
    """Save the whole page (or what the window shows) as out/screens/NAME.png, for a person to look at."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=whole)


def log_in(page: Any, username: str, screen: str | None = None) -> None:
    page.goto("/")
    page.wait_for_url(re.compile(r"/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    if screen:
        shot(page, screen)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login/"))


def download(page: Any, link: str, folder: Path) -> Path:
    with page.expect_download() as started:
        page.get_by_role("link", name=link).click()
    saved = folder / started.value.suggested_filename
    started.value.save_as(saved)
    return saved


def verify(path: Path) -> subprocess.CompletedProcess[str]:
    """`contractkit verify` on a downloaded file, as its own process."""
    return subprocess.run([CONTRACTKIT, "verify", str(path)], check=False, capture_output=True, text=True, timeout=300)


@needs_soffice()
def test_a_swap_approved_by_the_role_makes_the_final_pdf_available(page: Any, tmp_path: Path) -> None:
    users = people()
    example_deal(HARBOURSIDE_FILE, TRUST_A, users["a-negotiator"])

    log_in(page, "a-negotiator", screen="01-login")
    shot(page, "02-home-negotiator")
    page.get_by_role("link", name=HARBOURSIDE).click()
    page.wait_for_url(re.compile(rf"/deals/{HARBOURSIDE}/$"))
    shot(page, "03-deal-negotiator")
    assert page.get_by_role("link", name="Final PDF for signing").count() == 1

    # A rung that needs the legal lead's approval; htmx replaces the page's main part in place.
    page.evaluate("window.notReloaded = true")
    rung = page.locator("form", has=page.locator("input[name=position][value='notice-60-patent-60']"))
    rung.get_by_role("button", name="Move here").click()
    page.get_by_text("Waiting for approval").wait_for()
    assert page.evaluate("window.notReloaded") is True, "the swap reloaded the whole page instead of htmx"
    assert page.get_by_role("link", name="Final PDF for signing").count() == 0
    assert "Legal lead" in page.locator("section", has_text="Waiting for approval").inner_text()
    shot(page, "04-deal-after-swap")
    log_out(page)

    log_in(page, "a-legal")
    page.get_by_role("navigation").get_by_role("link", name="My approvals").click()
    shot(page, "05-my-approvals")
    request = page.locator("section.approval", has_text=HARBOURSIDE)
    request.get_by_label("Comment").fill("Sixty days' notice is acceptable for this partner.")
    request.get_by_role("button", name="Approve").click()
    page.get_by_text("Approved:").wait_for()
    shot(page, "06-approved")

    page.goto(f"/deals/{HARBOURSIDE}/")
    shot(page, "07-deal-after-approval")
    final = download(page, "Final PDF for signing", tmp_path)
    assert final.read_bytes().startswith(b"%PDF")
    checked = verify(final)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    page.get_by_role("link", name="History of every change").click()
    table = page.locator("section", has_text="Approvals").inner_text()
    assert "Approved by" in table and "a-legal" in table
    shot(page, "08-history")


def test_a_lawyer_imports_a_deal_file_and_downloads_the_word_draft(page: Any, tmp_path: Path) -> None:
    people()
    log_in(page, "a-legal")
    shot(page, "10-home-empty")
    page.get_by_role("link", name="Import a deal file").click()
    shot(page, "11-import")

    not_a_deal = tmp_path / "notes.yaml"
    not_a_deal.write_text("meeting: Tuesday\nattendees: [legal, finance]\n", encoding="utf-8")
    page.get_by_label("Deal file").set_input_files(str(not_a_deal))
    page.get_by_role("button", name="Import").click()
    problems = page.get_by_role("alert")
    assert "not imported" in problems.inner_text() and "notes.yaml" in problems.inner_text()
    shot(page, "12-import-refused")

    page.get_by_label("Deal file").set_input_files(str(ROOT / "examples" / HARBOURSIDE_FILE))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(rf"/deals/{HARBOURSIDE}/$"))
    shot(page, "13-deal-imported")

    word = download(page, "Word (DRAFT)", tmp_path)
    assert word.suffix == ".docx"
    assert any(HARBOURSIDE in text for text in paragraphs(word.read_bytes()))
    checked = verify(word)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_partner_sees_the_deal_but_not_the_negotiation_and_another_trust_sees_nothing(page: Any) -> None:
    users = people()
    example_deal(HARBOURSIDE_FILE, TRUST_A, users["a-negotiator"])
    log_in(page, "partner")
    page.get_by_role("link", name=HARBOURSIDE).click()
    text = page.locator("main").inner_text()
    assert "Word (DRAFT)" in text and "Walk away" not in text and "Move here" not in text
    assert page.get_by_role("link", name="this version as a deal file").count() == 0
    shot(page, "30-deal-as-partner")
    page.goto(f"/deals/{HARBOURSIDE}/v1/deal.yaml")
    assert "You cannot do that" in page.locator("main").inner_text()
    shot(page, "31-refused")
    log_out(page)

    log_in(page, "b-negotiator")
    assert HARBOURSIDE not in page.locator("main").inner_text()
    page.goto(f"/deals/{HARBOURSIDE}/")
    assert "Not found" in page.locator("h1").inner_text()
    shot(page, "32-not-found")


def _add_rows(page: Any, have: dict[str, int], want: dict[str, int]) -> None:
    """Click each list's add button until it has the rows the deal needs (outer lists first)."""
    for name in sorted(want, key=lambda n: n.count(".")):
        for row in range(have.get(name, 0), want[name]):
            page.locator(f'button[name="add"][value="{name}"]').click()
            page.locator(f'[name^="{name}.{row}"]').first.wait_for()


def _type(page: Any, name: str, text: str) -> None:
    """Enter one value as a person would: type it, choose it from the list, or tick Yes or No."""
    field = page.locator(f'[name="{name}"]')
    if not field.first.is_visible():  # in a part the deal does not open, such as the Welsh fields
        return
    kind = field.first.evaluate("e => e.tagName === 'INPUT' ? e.type : e.tagName.toLowerCase()")
    if kind == "radio":
        field.and_(page.locator(f'[value="{text}"]')).check()
    elif kind == "select":
        field.select_option(text)
    else:
        field.fill(text)


def test_a_lawyer_creates_a_deal_through_the_form(page: Any, tmp_path: Path) -> None:
    """A lawyer starts a deal from its playbook and types the facts of the Harbourside example, one of
    them wrong; the page says what is wrong beside that field; fixed, the deal drafts and verifies."""
    from contractkit.library import yamlio
    from contractkit.web import dealform, formdata, state

    people()
    data = yamlio.parse((ROOT / "examples" / HARBOURSIDE_FILE).read_text(encoding="utf-8"), HARBOURSIDE_FILE).plain()
    form = dealform.build(state.library(), data["playbook"])
    facts = formdata.from_data(form, data)
    start = formdata.starting(form, {"nhs_organisations": [{"name": "", "ods_code": TRUST_A}]})

    log_in(page, "a-legal")
    page.get_by_role("link", name="New deal").first.click()
    shot(page, "20-new-deal")
    page.locator(f"#playbook-{data['playbook']}").click()
    page.get_by_role("button", name="Save and check").last.wait_for()
    shot(page, "21-form-empty")

    _add_rows(page, start.rows, facts.rows)
    for name, text in facts.text.items():
        if text:
            _type(page, name, "30 February 2027" if name == "agreement.date" else text)
    page.locator("#save-check").click()
    date = page.locator(".field", has=page.locator('[name="agreement.date"]'))
    date.locator(".field-error").wait_for()
    assert "date" in date.locator(".field-error").inner_text().lower()
    assert page.locator(".field-error").count() == 1, page.locator(".field-error").all_inner_texts()
    shot(page, "22-form-one-mistake")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "22a-form-one-mistake-top", whole=False)
    date.evaluate("e => e.scrollIntoView({block: 'center'})")
    shot(page, "22b-form-one-mistake-at-the-field", whole=False)

    page.get_by_label(re.compile(r"^Date", re.I)).and_(page.locator('[name="agreement.date"]')).fill("16 November 2026")
    page.locator("#save-check").click()
    page.wait_for_url(re.compile(rf"/deals/{HARBOURSIDE}/$"))
    assert "passes every check" in page.locator(".messages").inner_text()
    shot(page, "23-deal-from-form")

    word = download(page, "Word (DRAFT)", tmp_path)
    assert any(HARBOURSIDE in text for text in paragraphs(word.read_bytes()))
    checked = verify(word)
    assert checked.returncode == 0, checked.stdout + checked.stderr

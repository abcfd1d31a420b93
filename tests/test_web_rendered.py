"""Files drafted once per version: kept within a byte bound, made once when asked for at once,
never kept when drafting fails; and pages that only read never hold a database transaction."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from django.urls import resolve
from hypothesis import given
from hypothesis import strategies as st
from webkit import HARBOURSIDE, HARBOURSIDE_FILE, TRUST_A, example_deal, login, people

from contractkit.web import services, state
from contractkit.web.models import Membership, Organisation
from contractkit.web.rendered import Rendered


def test_a_file_is_made_once_and_then_kept() -> None:
    store, made = Rendered(1000), []
    assert store.get("a", lambda: made.append(1) or b"one") == b"one"
    assert store.get("a", lambda: made.append(1) or b"two") == b"one"
    assert made == [1]


def test_ten_requests_at_once_make_the_file_once() -> None:
    store, calls, results = Rendered(1000), [], []
    gate = threading.Event()

    def slow() -> bytes:
        calls.append(1)
        gate.wait(5)
        return b"pdf"

    threads = [threading.Thread(target=lambda: results.append(store.get("v1", slow))) for _ in range(10)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    gate.set()
    for thread in threads:
        thread.join(10)
    assert calls == [1] and results == [b"pdf"] * 10


def test_a_failed_draft_is_not_kept() -> None:
    store = Rendered(1000)

    def broken() -> bytes:
        raise RuntimeError("LibreOffice stopped")

    with pytest.raises(RuntimeError):
        store.get("a", broken)
    assert store.get("a", lambda: b"ok") == b"ok"


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 400)), max_size=60))
def test_the_store_never_holds_more_than_its_bound(requests: list[tuple[int, int]]) -> None:
    store = Rendered(1000)
    for key, size in requests:
        assert store.get(key, lambda size=size: b"x" * size) is not None
        assert sum(len(v) for v in store._files.values()) == store._size <= 1000


@pytest.mark.django_db
def test_a_version_drafts_to_the_same_bytes_from_the_store() -> None:
    users = people()
    version = example_deal(HARBOURSIDE_FILE, TRUST_A, users["a-negotiator"]).latest
    services.FILES.clear()
    first = services.docx(version)
    assert services.docx(version) is first
    assert services.docx(version, final=True) != first  # a final is its own file


READ_ONLY = ["/", f"/deals/{HARBOURSIDE}/", f"/deals/{HARBOURSIDE}/history/", f"/deals/{HARBOURSIDE}/v1/agreement.docx",
             f"/deals/{HARBOURSIDE}/final.pdf", f"/deals/{HARBOURSIDE}/redline/", f"/deals/{HARBOURSIDE}/v1/deal.yaml",
             "/approvals/"]  # fmt: skip


@pytest.mark.parametrize("path", READ_ONLY)
def test_pages_that_only_read_hold_no_transaction_and_refuse_posts(path: str, db: Any) -> None:
    view = resolve(path).func
    assert "default" in getattr(view, "_non_atomic_requests", set()), "a download would hold the write lock"
    people()
    assert login("a-negotiator").post(path).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("example", sorted(p.name for p in (ROOT / "examples").glob("*.yaml")))
def test_the_app_drafts_each_version_as_the_cli_drafts_its_exported_file(example: str, tmp_path: Path) -> None:
    """The app drafts from its stored data; the CLI from the deal file the app exports: same bytes,
    for the example as imported and after moves that add history."""
    from contractkit import api

    users = people()
    text = (ROOT / "examples" / example).read_text(encoding="utf-8")
    checked = services.check_text(text, example)
    owner = Organisation.objects.get_or_create(
        code=services.owner_for(checked), defaults={"name": "Example NHS body", "kind": "nhs"}
    )[0]
    Membership.objects.get_or_create(user=users["a-negotiator"], organisation=owner, role="negotiator")
    deal = services.create_deal(owner, checked, users["a-negotiator"], f"example {example}")
    rows = {r.id: r for r in services.overview(deal.latest)} if deal.latest.valid else {}
    if "confidentiality" in rows:  # two moves the negotiator may make alone, each adding history
        current = next(r.position for r in rows["confidentiality"].rungs if r.current)
        for position in ("three-years" if current != "three-years" else "five-years", current):
            services.swap(deal, users["a-negotiator"], "confidentiality", position, note="ok: “quoted” 😀")
    assert deal.versions.filter(valid=True).count() == (3 if "confidentiality" in rows else 1)
    library = state.library()
    for version in deal.versions.filter(valid=True):
        exported = tmp_path / f"v{version.number}.yaml"
        exported.write_text(services.export_yaml(version), encoding="utf-8")
        cli = api.render_docx(library, api.prepare(library, exported))
        assert services.docx(version) == cli, f"{example} version {version.number}"

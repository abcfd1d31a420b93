"""The guided deal form: its fields per playbook, its values to and from deal data (through the
rendered HTML), and each problem the checks find shown beside its field."""

from __future__ import annotations

import copy
import datetime as dt
import re
import typing
from decimal import Decimal
from typing import Any

import pytest
from conftest import EXAMPLES
from formkit import data_through_html, library_form, read_form, render_form
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from contractkit import api
from contractkit.library.deal import Deal
from contractkit.library.fieldplan import MECHANISM_FIELDS, NOT_FACTS, WELSH, field_plan
from contractkit.library.loading import Library
from contractkit.library.scaffold import new_deal, specimen
from contractkit.web import dealform, formbind, formdata, formwords, services

PLAYBOOKS = ["research-collaboration", "ai-development", "academic-access"]


def _paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every input a deal could have, as '[]' paths."""
    out = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        many = typing.get_origin(info.annotation) is list
        sub = next(
            (
                a
                for a in [info.annotation, *typing.get_args(info.annotation)]
                if isinstance(a, type) and issubclass(a, BaseModel)
            ),
            None,
        )
        if sub is not None:
            out += _paths(sub, f"{path}[]." if many else f"{path}.")
        else:
            out.append(f"{path}[]" if many else path)
    return out


def _leaves(form: dealform.DealForm) -> dict[str, dealform.Leaf]:
    found: dict[str, dealform.Leaf] = {}

    def walk(node: dealform.Node) -> None:
        if isinstance(node, dealform.Leaf):
            found[node.path] = node
        elif isinstance(node, dealform.Group):
            for child in node.children:
                walk(child)
        else:
            walk(node.item)

    walk(form.root)
    return found


# ----------------------------------------------------------------------------- the fields of each playbook


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_the_form_shows_every_fact_the_playbook_uses_and_no_other(library: Library, playbook: str) -> None:
    plan = field_plan(library, playbook)
    wanted = {
        p
        for p in _paths(Deal)
        if p.split(".")[0].rstrip("[]") not in NOT_FACTS
        and not any(p == h or p.startswith(h + "[]") for h in plan.hidden)
    }
    form = dealform.build(library, playbook)
    assert set(_leaves(form)) == wanted
    placed = [leaf.path for s in form.sections for n in s.nodes for leaf in _leaves_of(n)]
    assert sorted(placed) == sorted(wanted), "every input sits in exactly one section"


def _leaves_of(node: dealform.Node) -> list[dealform.Leaf]:
    if isinstance(node, dealform.Leaf):
        return [node]
    if isinstance(node, dealform.Group):
        return [leaf for c in node.children for leaf in _leaves_of(c)]
    return _leaves_of(node.item)


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_the_form_and_the_scaffold_offer_the_same_value_share_facts(library: Library, playbook: str) -> None:
    scaffold = new_deal(library, playbook)
    shown = set(_leaves(dealform.build(library, playbook)))
    for fields in MECHANISM_FIELDS.values():
        for name in fields:
            in_form = any(p.startswith(f"commercial.value_share.{name}") for p in shown)
            in_scaffold = bool(re.search(rf"^[\s#-]*{name}:", scaffold, re.M))
            assert in_form == in_scaffold, f"{playbook}: {name} in form {in_form}, in scaffold {in_scaffold}"


def test_value_share_choices_follow_the_playbook(library: Library) -> None:
    choices = {
        p: [c for c, _ in _leaves(dealform.build(library, p))["commercial.value_share.model"].choices]
        for p in PLAYBOOKS
    }
    assert choices["academic-access"] == ["cost-recovery"]
    assert "upfront" not in choices["ai-development"] and "royalty" in choices["ai-development"]
    assert "commercial.value_share.royalty_percent" not in _leaves(dealform.build(library, "academic-access"))


def test_optional_fields_are_marked_and_asked_ones_are_not(library: Library) -> None:
    form = dealform.build(library, "research-collaboration")
    leaves = _leaves(form)
    assert leaves["agreement.title_cy"].optional and leaves["benefits[].target"].optional
    assert not leaves["agreement.title"].optional
    assert not leaves["commercial.value_share.headline_value"].optional, "the playbook asks for it"
    repeats = {n.path: n for s in form.sections for n in s.nodes if isinstance(n, dealform.Repeat)}
    assert not repeats["approvals"].optional, "the playbook prints an approvals schedule"
    assert repeats["special_conditions"].optional and repeats["partners"].required


def test_kinds_labels_and_choices_are_for_a_lawyer(library: Library) -> None:
    leaves = _leaves(dealform.build(library, "research-collaboration"))
    kinds = {
        p: leaves[p].kind
        for p in (
            "agreement.date",
            "commercial.fees[].amount",
            "purpose.commercial",
            "data.retention_months",
            "data.access_model",
            "purpose.description",
            "commercial.value_share.royalty_percent",
            "contact.email",
        )
    }
    assert kinds == {
        "agreement.date": "date",
        "commercial.fees[].amount": "money",
        "purpose.commercial": "yesno",
        "data.retention_months": "number",
        "data.access_model": "choice",
        "purpose.description": "textarea",
        "commercial.value_share.royalty_percent": "percent",
        "contact.email": "email",
    }
    for leaf in leaves.values():
        assert leaf.label and "_" not in leaf.label, leaf.path
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", leaf.help), f"{leaf.path} help names a code: {leaf.help}"
        for code, label in leaf.choices:
            assert label[:1].isupper() and "_" not in label and label != code, (leaf.path, code, label)
    assert dict(leaves["governing_law"].choices)["england"] == "England and Wales"
    assert leaves["partners[].name"].help.startswith("Up to 160 characters"), "help comes from the description"


def test_sections_follow_the_order_of_a_deal(library: Library) -> None:
    titles = [s.title for s in dealform.build(library, "ai-development").sections]
    assert titles == [
        "The agreement",
        "In Welsh",
        "Parties",
        "Purpose",
        "Benefits",
        "Data",
        "Legal basis",
        "Approvals",
        "Money",
        "Term",
        "Signatories",
        "Contact",
        "Special conditions",
    ]
    welsh = next(s for s in dealform.build(library, "ai-development").sections if s.welsh)
    assert {leaf.path for n in welsh.nodes for leaf in _leaves_of(n)} == WELSH
    assert all(s.guidance.endswith(".") for s in dealform.build(library, "ai-development").sections)


def test_a_field_left_out_of_every_section_stops_the_form(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    sections = tuple((i, t, g, tuple(p for p in paths if p != "term.review")) for i, t, g, paths in formwords.SECTIONS)
    monkeypatch.setattr(dealform, "SECTIONS", sections)
    with pytest.raises(RuntimeError, match=r"term\.review"):
        dealform.build(library, "ai-development")


def test_an_unknown_playbook_has_no_form(library: Library) -> None:
    with pytest.raises(KeyError):
        dealform.build(library, "no-such-playbook")


# ----------------------------------------------------------------------------- values to and from data


@pytest.mark.django_db
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_survives_the_form_unchanged(library: Library, path: Any) -> None:
    data = api.deal_data(api.load_deal(path, library))
    form = library_form(data["playbook"])
    assert formdata.merged(form, data, data_through_html(form, data)) == data
    facts_only = {k: v for k, v in data.items() if k not in NOT_FACTS}
    assert data_through_html(form, data) == facts_only, "every fact of the examples is on the form"


def test_posted_text_becomes_data_as_typed() -> None:
    form = library_form("research-collaboration")
    values = formdata.from_data(form, {})
    values.text |= {
        "agreement.date": " 1 February 2027 ",
        "purpose.commercial": "yes",
        "data.retention_months": "12",
        "data.processor_used": "no",
        "agreement.version": "1",
        "agreement.locale": "en_GB",
        "data.datasets.0.description": "line one\r\nline two",
        "agreement.title": "   ",
    }
    values.rows |= {"commercial.fees": 2, "data.datasets": 1}
    values.text |= {"commercial.fees.0.amount": "£420,000", "commercial.fees.1.description": ""}
    data = formdata.to_data(form, values)
    assert data["agreement"] == {"date": "1 February 2027"}, "defaults and blanks are left out"
    assert data["purpose"] == {"commercial": True} and data["data"]["retention_months"] == 12
    assert "processor_used" not in data["data"]
    assert data["data"]["datasets"] == [{"description": "line one\nline two"}]
    assert data["commercial"]["fees"] == [{"amount": "£420,000"}], "an empty row is no row"
    assert data["partners"] == [], "a list a deal needs stays, empty, so the check names it"


def test_removing_a_row_renumbers_the_rows_after_it() -> None:
    values = formdata.Values({f"partners.{n}.name": f"P{n}" for n in range(3)}, {"partners": 3})
    assert formdata.remove_row(values, "partners.0")
    assert values.rows["partners"] == 2 and values.text == {"partners.0.name": "P1", "partners.1.name": "P2"}
    assert not formdata.remove_row(values, "partners.7") and not formdata.remove_row(values, "nothing.0")
    assert formdata.add_row(values, "partners") and values.rows["partners"] == 3
    assert not formdata.add_row(values, "positions")


def test_rows_posted_out_of_order_or_with_gaps_are_read_in_order() -> None:
    form = library_form("research-collaboration")
    values, refusals = formdata.from_post(form, {"partners.7.name": "B", "partners.2.name": "A"})
    assert refusals == [] and values.rows["partners"] == 2
    assert values.text["partners.0.name"] == "A" and values.text["partners.1.name"] == "B"


# A deal varied field by field from the specimen: names with markup and quotes, lists of different
# lengths, optional facts present or not, every choice and yes/no, dates and amounts.
WORDS = st.text(alphabet="Abcdé XYZ&'.-", min_size=1, max_size=24).map(str.strip).filter(lambda s: s and s[0].isalpha())
PROSE = st.text(alphabet="Ab <>&\"'£ é,.()\n-", min_size=1, max_size=60).map(str.strip).filter(bool)
DATES = st.dates(dt.date(2027, 1, 2), dt.date(2029, 12, 1)).map(dt.date.isoformat)
MONEY = st.decimals(Decimal("1"), Decimal("999999"), places=2).map(str)


@st.composite
def deals(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(specimen(draw(st.sampled_from(PLAYBOOKS))))
    partner = data["partners"][0]
    data["partners"] = [
        dict(partner, name=draw(WORDS), short_name=f"P{n}", company_number=f"0999999{n}")
        for n in range(draw(st.integers(1, 3)))
    ]
    data["agreement"]["title"] = draw(PROSE).replace("\n", " ")
    data["agreement"]["version"] = draw(st.integers(1, 9))
    data["purpose"]["description"] = draw(PROSE)
    data["purpose"]["commercial"] = draw(st.booleans())
    data["data"]["processor_used"] = draw(st.booleans())
    data["data"]["identifiability"] = draw(
        st.sampled_from(["identifiable", "pseudonymised", "anonymised", "aggregate"])
    )
    data["data"]["retention_months"] = draw(st.integers(1, 600))
    data["benefits"][0] = {
        k: v for k, v in data["benefits"][0].items() if k in ("metric", "owner") or draw(st.booleans())
    }
    data["commercial"]["fees"] = [
        {"description": draw(WORDS), "amount": draw(MONEY)} for _ in range(draw(st.integers(0, 2)))
    ]
    data["special_conditions"] = draw(st.lists(PROSE, max_size=2))
    data["approvals"][0]["date"] = draw(DATES)
    data["governing_law"] = draw(st.sampled_from([None, "england", "scotland"]))
    data["nhs_organisations"][0]["nation"] = draw(st.sampled_from(["england", "scotland"]))
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=deals())
def test_any_deal_rendered_into_the_form_and_posted_back_is_the_same_deal(data: dict[str, Any]) -> None:
    try:
        canonical = api.deal_data(Deal.model_validate(data))
    except ValidationError:
        assume(False)
        return
    form = library_form(canonical["playbook"])
    assert formdata.merged(form, canonical, data_through_html(form, canonical)) == canonical


# ----------------------------------------------------------------------------- each problem beside its field


def _check(**changes: Any) -> services.Checked:
    data = specimen("research-collaboration")
    for path, value in changes.items():
        target: Any = data
        *parents, last = path.split("__")
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value
    return services.check_data(data)


MAPPED = [
    ({"partners__0__name": ""}, "partners.0.name", "error"),
    ({"partners__0__company_number": "12"}, "partners.0.company_number", "error"),
    ({"term__end": "1/2/2026"}, "term.end", "error"),
    ({"signatories": []}, "signatories", "error"),
    ({"commercial__fees__0__amount": "-5"}, "commercial.fees.0.amount", "error"),
    ({"data__environment": None}, "data.environment", "error"),
    ({"agreement__date": "31/2/2027"}, "agreement.date", "error"),
    ({"data__datasets__0__source": "Nobody"}, "data.datasets.0.source", "error"),
    ({"benefits__0__date": "2031-01-01"}, "benefits.0.date", "warning"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "name", "severity"), MAPPED)
def test_each_problem_is_shown_beside_its_field(changes: dict[str, Any], name: str, severity: str) -> None:
    checked = _check(**changes)
    assert any(i.severity == severity for i in checked.issues), checked.issues
    form = library_form("research-collaboration")
    bound = formbind.bind(form, formdata.from_data(form, checked.data), checked.issues)
    found = [s for s in bound.summary if s.anchor == name]
    assert found and found[0].issue.severity == severity, [(s.anchor, s.issue.field) for s in bound.summary]
    html = render_form(form, formdata.from_data(form, checked.data), checked.issues)
    assert name in read_form(html).ids
    assert found[0].issue.message[:40].lower() in _beside(html, name).lower()


def _beside(html: str, name: str) -> str:
    """The text shown with an input (from its field's box to the input) or inside a list or row."""
    at = html.index(f'id="{name}"')
    tag = html.rfind("<", 0, at)
    if html.startswith(("<input", "<select", "<textarea"), tag):
        box = max(html.rfind('<div class="field', 0, tag), html.rfind("<fieldset", 0, tag))
        text = html[box:tag]
    else:
        text = html[tag : html.find("<fieldset", tag + 1)]
    return re.sub(r"<[^>]+>", "", text).replace("&#x27;", "'")


@pytest.mark.django_db
def test_the_summary_lists_errors_first_and_problems_off_the_form_last() -> None:
    checked = _check(term__end="1/2/2026", positions={"general": "standard"})
    form = library_form("research-collaboration")
    bound = formbind.bind(form, formdata.from_data(form, checked.data), checked.issues)
    severities = [s.issue.severity for s in bound.summary]
    assert severities == sorted(severities, key=lambda s: s != "error")
    assert len(bound.summary) == len(set(checked.issues))
    off_form = [s for s in bound.summary if s.issue.field and s.issue.field.startswith("positions")]
    assert off_form and off_form[0].anchor is None and off_form[0].where == "Negotiated positions"


def test_an_issue_names_an_input_by_its_path() -> None:
    assert formbind.input_name("data.datasets[1].source") == "data.datasets.1.source"
    assert formbind.input_name("special_conditions[0]") == "special_conditions.0"


def test_every_input_has_a_label_and_a_stable_name(library: Library) -> None:
    form = dealform.build(library, "research-collaboration")
    values = formdata.starting(form, {"nhs_organisations": [{"name": "Northby NHS Trust", "ods_code": "RZZ01"}]})
    reader = read_form(render_form(form, values))
    inputs = [n for n in reader.fields if n not in ("csrfmiddlewaretoken", "organisation")]
    radios = {n for n in inputs if f"{n}-yes" in reader.ids}
    for name in inputs:
        assert name in reader.ids or name in radios, name
        assert name in reader.labels or (name in radios and f"{name}-yes" in reader.labels), f"{name} has no label"
    assert reader.fields["nhs_organisations.0.ods_code"] == "RZZ01"
    assert reader.fields["signatories.1.name"] == "" and "signatories.2.name" not in reader.fields


def _bound_field(bound: formbind.BoundForm, name: str) -> formbind.Bound:
    return next(b for s in bound.sections for b in formbind._all(s.children) if b.name == name)


@pytest.mark.parametrize(
    ("name", "typed", "read"),
    [
        ("agreement.date", "1/2/2027", "1 February 2027"),
        ("agreement.date", "2027-02-01", "1 February 2027"),
        ("agreement.date", "31/2/2027", ""),  # not a date: the check says why
        ("commercial.fees.0.amount", "£420,000", "£420,000.00"),
        ("commercial.fees.0.amount", "lots", ""),
        ("agreement.title", "1/2/2027", ""),  # only dates and amounts are read back
    ],
)
def test_dates_and_amounts_are_read_back_as_typed(name: str, typed: str, read: str) -> None:
    form = library_form("research-collaboration")
    values = formdata.Values({name: typed}, {"commercial.fees": 1})
    assert _bound_field(formbind.bind(form, values), name).reading == read


@pytest.mark.parametrize(
    ("nation", "law", "shown"), [("wales", "", True), ("england", "wales", True), ("england", "", False)]
)
def test_the_welsh_fields_open_and_are_needed_for_a_wales_deal(nation: str, law: str, shown: bool) -> None:
    form = library_form("research-collaboration")
    values = formdata.Values({"nhs_organisations.0.nation": nation, "governing_law": law}, {"nhs_organisations": 1})
    bound = formbind.bind(form, values)
    welsh = next(s for s in bound.sections if s.section.welsh)
    assert welsh.open is shown
    assert _bound_field(bound, "agreement.title_cy").optional is not shown
    assert _bound_field(bound, "agreement.locale").optional, "the locale has a default either way"


def test_hints_for_the_command_line_are_not_shown_on_the_form() -> None:
    form = library_form("research-collaboration")
    cli_hint = formbind.as_issue("required field is missing", "agreement.title", hint="run 'contractkit new' to see")
    welsh = formbind.as_issue("required", "agreement.title_cy", hint="write the Welsh text yourself")
    bound = formbind.bind(form, formdata.Values(), [cli_hint, welsh])
    assert [s.issue.hint for s in bound.summary] == [None, "write the Welsh text yourself"]

"""A complete specimen deal (lint's trial deal), and `contractkit new`: a deal file for one
playbook, every field it uses explained by the sentence the schema gives it, with placeholders
in square brackets that loading reports as "not filled in" ."""

from __future__ import annotations

import textwrap
import typing
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from contractkit.library.deal import Deal
from contractkit.library.fieldplan import NOT_FACTS, field_plan
from contractkit.library.model import Playbook

if TYPE_CHECKING:
    from contractkit.library.loading import Library


def specimen(playbook: str) -> dict[str, Any]:
    """Fictitious but complete facts: every field filled, so every clause can be rendered."""
    return {
        "playbook": playbook,
        "agreement": {
            "reference": "NHS-DPA-2026-0001",
            "version": 1,
            "title": "Early detection of sepsis in emergency departments",
            "lay_summary": "Researchers will study routinely collected hospital records, inside a secure "
            "NHS environment, to find earlier warning signs of sepsis.",
            "date": "2026-12-01",
            "locale": "en_GB",
        },
        "nhs_organisations": [
            {
                "name": "Northby Teaching Hospitals NHS Foundation Trust",
                "short_name": "Northby",
                "address": "Infirmary Road, Northby NB1 4ZZ",
                "role": "controller",
                "ods_code": "RZZ01",
                "nation": "england",
            }
        ],
        "partners": [
            {
                "name": "Example Analytics Limited",
                "short_name": "Example Analytics",
                "address": "1 Sample Street, London EC1A 9ZZ",
                "role": "controller",
                "company_number": "09999999",
                "sector": "industry",
            }
        ],
        "purpose": {
            "aim": "to reduce deaths from sepsis by identifying deteriorating patients earlier",
            "description": "statistical analysis of emergency department records to develop and test "
            "an early-warning score",
            "commercial": True,
        },
        "benefits": [
            {
                "metric": "Median time from arrival to antibiotics for patients with sepsis",
                "baseline": "94 minutes",
                "target": "60 minutes",
                "date": "2028-03-31",
                "owner": "Northby",
            }
        ],
        "data": {
            "datasets": [
                {
                    "name": "Emergency Department Attendances",
                    "description": "attendance, observations and discharge fields only; no free text",
                    "period": "April 2021 to March 2026",
                    "source": "Northby",
                }
            ],
            "identifiability": "pseudonymised",
            "access_model": "sde",
            "environment": "Northby Secure Data Environment",
            "processor_used": False,
            "national_data_opt_out": "applied",
            "retention_months": 12,
        },
        "legal_basis": {
            "article_6": "Article 6(1)(e) (public task)",
            "article_9": "Article 9(2)(j) (scientific research), with DPA 2018 Schedule 1 paragraph 4",
            "confidentiality_basis": "support under section 251 of the NHS Act 2006",
        },
        "approvals": [
            {"body": "Research Ethics Committee", "reference": "26/NE/0001", "status": "granted", "date": "2026-10-01"}
        ],
        "commercial": {
            "fees": [{"description": "Cost of data preparation and environment access", "amount": "48000.00"}],
            "value_share": {
                "model": "milestones",
                "headline_value": "250000.00",
                "milestones": [{"event": "regulatory approval of a product", "amount": "200000.00"}],
                "royalty_percent": "2.5",
                "in_kind": "free use of any resulting product by NHS bodies",
                "upfront_amount": "50000.00",
                "subscription_amount": "20000.00",
                "subscription_period": "year",
            },
        },
        "term": {"start": "2027-01-01", "end": "2029-12-31", "review": "2028-01-01"},
        "signatories": [
            {"party": "Northby", "name": "Dr A. Person", "title": "Chief Executive"},
            {"party": "Example Analytics", "name": "B. Person", "title": "Director"},
        ],
        "contact": {"name": "Data Partnerships Office", "email": "partnerships@northby.example"},
        "special_conditions": [],
        "positions": {},
        "history": [],
    }


# --------------------------------------------------------------------------- contractkit new

WIDTH = 100
NHS = "[NHS party's short name, e.g. Northby]"
PARTNER = "[partner's short name, e.g. Kestrel]"
DATE = "e.g. 1/4/2027"
POUNDS = "amount in pounds, e.g. £48,000"
# What each placeholder asks for, by field path ('[]' stands for any list item). A field not named
# here is asked for by its description.
PLACEHOLDERS = {
    "agreement.reference": "[agreement reference, e.g. NHS-DPA-2027-0001]",
    "agreement.title": "[short title of the project]",
    "agreement.title_cy": "[Welsh title of the project]",
    "agreement.lay_summary": "[plain-English summary of the project, for the public register]",
    "agreement.lay_summary_cy": "[Welsh lay summary]",
    "agreement.date": f"[date of the agreement, {DATE}]",
    "nhs_organisations[].name": "[full legal name of the NHS organisation]",
    "nhs_organisations[].short_name": NHS,
    "nhs_organisations[].address": "[address of the NHS organisation]",
    "nhs_organisations[].ods_code": "[ODS code, e.g. RX1]",
    "partners[].name": "[full legal name of the partner, e.g. Kestrel Analytics Limited]",
    "partners[].short_name": PARTNER,
    "partners[].address": "[registered office of the partner]",
    "partners[].company_number": "[Companies House number, e.g. 01234567]",
    "purpose.aim": "[the explicit aim to improve health, care or NHS operations]",
    "purpose.description": "[what the partnership will do with the data]",
    "purpose.commercial": "[yes or no: may the outputs be commercialised?]",
    "benefits[].metric": "[what is measured, e.g. median time from arrival to antibiotics]",
    "benefits[].baseline": "[value today]",
    "benefits[].target": "[value to reach]",
    "benefits[].date": "[target date, inside the term, e.g. 31/3/2029]",
    "benefits[].owner": NHS,
    "data.datasets[].name": "[name of the dataset]",
    "data.datasets[].description": "[what it contains, and how it is minimised]",
    "data.datasets[].period": "[period covered, e.g. April 2019 to March 2026]",
    "data.datasets[].source": NHS,
    "data.environment": "[name of the secure data environment]",
    "data.opt_out_reason": "[why the national data opt-out does not apply]",
    "data.retention_months": "[months after the end of the term, e.g. 12]",
    "legal_basis.article_6": "[Article 6 basis, e.g. Article 6(1)(e) public task]",
    "legal_basis.article_9": "[Article 9 condition, e.g. Article 9(2)(j) research]",
    "legal_basis.confidentiality_basis": "[consent, section 251 support, or anonymised data]",
    "approvals[].body": "[approving body, e.g. Research Ethics Committee]",
    "approvals[].reference": "[its reference number]",
    "approvals[].date": f"[date granted, {DATE}]",
    "commercial.fees[].description": "[what the fee is for]",
    "commercial.fees[].amount": f"[{POUNDS}]",
    "commercial.value_share.headline_value": "[total expected value in pounds, e.g. £250,000]",
    "commercial.value_share.value_withheld_reason": "[why the headline value is not published]",
    "commercial.value_share.royalty_percent": "[percentage of net revenue, e.g. 3]",
    "commercial.value_share.milestones[].event": "[event that triggers the payment]",
    "commercial.value_share.milestones[].amount": f"[{POUNDS}]",
    "commercial.value_share.in_kind": "[benefits in kind to the NHS]",
    "commercial.value_share.upfront_amount": f"[{POUNDS}]",
    "commercial.value_share.subscription_amount": f"[{POUNDS}, for each period]",
    "term.start": f"[start date, {DATE}]",
    "term.end": "[end date, e.g. 31/3/2030]",
    "term.review": "[date of the benefits review, inside the term, e.g. 1/4/2028]",
    "signatories[].name": "[name of the person signing]",
    "signatories[].title": "[their job title]",
    "contact.name": "[NHS contact for the register: a person or an office]",
    "contact.email": "[contact email address, e.g. data.partnerships@example.nhs.uk]",
    "special_conditions[]": "[a condition specific to this deal]",
}
HEADER = """\
contractkit deal file: {title} (playbook {id}, version {version}).

Replace every value in [square brackets] with the facts of this partnership: contractkit reports
each one left as "not filled in", and will not draft while a date, amount, choice or code is
missing. Lines starting with '#' are optional fields: delete the '# ' to use one. Dates are read
day first (1/4/2027, 1 April 2027 or 2027-04-01); amounts are in pounds (48000, 48,000.00 or
£48,000). docs/formats.md explains every field.

Draft it with: contractkit draft THIS_FILE -o agreement.docx"""


def new_deal(library: Library, playbook_id: str) -> str:
    """YAML text of a deal file for `playbook_id`: every field the playbook uses, explained, with
    placeholders to fill in; optional fields commented out; the negotiable clauses listed."""
    return _Scaffold(library, library.playbooks[playbook_id]).text()


class _Scaffold:
    """Writes the deal file line by line: YAML by hand, so that optional fields can be commented
    out in place with their meaning, which a YAML dumper cannot do."""

    def __init__(self, library: Library, playbook: Playbook) -> None:
        self.library, self.playbook = library, playbook
        self.plan = field_plan(library, playbook)
        self.models = list(self.plan.models)
        self.lines: list[str] = []

    def text(self) -> str:
        pb = self.playbook
        self.comment(HEADER.format(title=pb.title, id=pb.id, version=pb.version), 0)
        self.lines += ["", "# Playbook id: do not change it.", f"playbook: {pb.id}"]
        for name, info in Deal.model_fields.items():
            if name not in NOT_FACTS:
                self.lines.append("")
                optional = self.plan.optional(name, info)
                self.field(name, info, name, 0, commented=optional, explain=True)
        self.lines += ["", *self.positions()]
        return "\n".join(self.lines) + "\n"

    def comment(self, text: str, indent: int) -> None:
        for para in text.split("\n"):
            wrapped = textwrap.wrap(para, WIDTH - indent - 2) or [""]
            self.lines += [(" " * indent + "# " + w).rstrip() for w in wrapped]

    def field(self, name: str, info: FieldInfo, path: str, indent: int, *, commented: bool, explain: bool) -> None:
        if not self.plan.shows(path):
            return
        sub, many = _shape(info.annotation)
        if explain and info.description:
            self.comment(info.description, indent)
        body = len(self.lines)
        if sub is not None and many:
            self.lines.append(" " * indent + f"{name}:")
            count = 2 if path == "signatories" else 1
            for n in range(count):
                self.item(sub, f"{path}[]", indent + 4, commented=commented, explain=explain and not commented, index=n)
        elif sub is not None:
            self.lines.append(" " * indent + f"{name}:")
            self.model(sub, path, indent + 2, commented=commented, explain=explain and not commented)
        elif many:
            self.lines += [" " * indent + f"{name}:", " " * (indent + 2) + "- " + _quote(_ask(f"{path}[]", info))]
        else:
            self.lines.append(" " * indent + f"{name}: {self.value(path, info)}")
        if commented:
            self.lines[body:] = [_commented(line, indent) for line in self.lines[body:]]
        if commented and sub is not None and many and explain:
            self.lines[body:body] = _each_entry(sub, indent)

    def model(self, cls: type[BaseModel], path: str, indent: int, *, commented: bool, explain: bool) -> None:
        for name, info in cls.model_fields.items():
            optional = self.plan.optional(f"{path}.{name}", info)
            self.field(name, info, f"{path}.{name}", indent, commented=optional and not commented, explain=explain)

    def item(self, cls: type[BaseModel], path: str, indent: int, *, commented: bool, explain: bool, index: int) -> None:
        start = len(self.lines)
        self.model(cls, path, indent, commented=commented, explain=explain)
        if path == "signatories[]" and index == 1:
            self.lines[start:] = [line.replace(NHS, PARTNER) for line in self.lines[start:]]
        first = next(n for n in range(start, len(self.lines)) if not self.lines[n].lstrip().startswith("#"))
        self.lines[first] = self.lines[first][: indent - 2] + "- " + self.lines[first][indent:]

    def value(self, path: str, info: FieldInfo) -> str:
        if path == "commercial.value_share.model":
            return self.models[0] if len(self.models) == 1 else _quote("[" + _choices(self.models) + "]")
        if path == "signatories[].party":
            return _quote(NHS)
        if not info.is_required() and info.default is not None and isinstance(info.default, (str, int, bool)):
            return _yaml_scalar(info.default)
        return _quote(_ask(path, info))

    def positions(self) -> list[str]:
        """The negotiable clauses, each with its rungs and who approves them, as comments."""
        out = [
            "# Negotiated positions. Each negotiable clause starts at its preferred position; name a",
            "# clause here only to use an approved fallback, e.g. 'intellectual-property: split'.",
            "# 'contractkit swap' does it for you and records who approved the move. The ladders:",
        ]
        for entry in self.playbook.entries():
            if entry.ladder is None:
                continue
            clause = self.library.clauses[entry.clause]
            out += ["#", f"#   {clause.id} ({clause.title}):"]
            for n, rung in enumerate(entry.ladder.rungs):
                label = clause.positions[rung.position].label if rung.position in clause.positions else ""
                who = "preferred" if n == 0 else f"approver: {rung.approver}"
                out.append(f"#     {rung.position}: {label} ({who})".replace(":  (", ": ("))
        roles = {r.approver for e in self.playbook.entries() if e.ladder for r in e.ladder.fallbacks}
        out += ["#", "# Approvers:"]
        out += [f"#   {role}: {text}" for role, text in self.library.meta.roles.items() if role in roles]
        return [*out, "positions: {}", "", "# history: the negotiation log; contractkit swap writes it."]


def _shape(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model a field holds (if any) and whether it is a list."""
    many = typing.get_origin(annotation) is list
    for arg in [annotation, *typing.get_args(annotation)]:
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg, many
    return None, many


def _ask(path: str, info: FieldInfo) -> str:
    if path in PLACEHOLDERS:
        return PLACEHOLDERS[path]
    choices = _literal(info.annotation)
    if choices:
        return "[" + _choices(choices) + "]"
    first = (info.description or path).split(";")[0].split(":")[0].rstrip(".")
    return f"[{first[:1].lower()}{first[1:]}]"


def _literal(annotation: Any) -> list[str]:
    if typing.get_origin(annotation) is typing.Literal:
        return [str(a) for a in typing.get_args(annotation)]
    return next((found for a in typing.get_args(annotation) if (found := _literal(a))), [])


def _choices(options: list[str]) -> str:
    return options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]


def _each_entry(cls: type[BaseModel], indent: int) -> list[str]:
    """A commented-out list's fields, explained once above it."""
    lines = [" " * indent + "# Each entry has:"]
    for name, info in cls.model_fields.items():
        wrapped = textwrap.wrap(f"{name}: {info.description or ''}", WIDTH - indent - 6)
        lines += [" " * indent + "#   " + ("" if n == 0 else "  ") + w for n, w in enumerate(wrapped)]
    return lines


def _commented(line: str, indent: int) -> str:
    return line[:indent] + "# " + line[indent:] if line.strip() else line


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _yaml_scalar(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)

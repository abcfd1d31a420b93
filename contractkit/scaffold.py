"""A complete specimen deal, and `contractkit new`: the specimen written out with every field
explained by the sentence the schema gives it."""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from . import yamlio
from .model import Deal


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


def _annotate(node: Any, model: type[BaseModel], indent: int = 0, *, comments: bool = True) -> Any:
    """Turn plain data into a commented round-trip tree, one comment per field from the schema.

    A list of records is explained once, above the list (each field with its sentence), so its
    items stay ordinary `- key: value` YAML."""
    tree = CommentedMap()
    for key, value in node.items():
        info = model.model_fields.get(key)
        sub = _submodel(info.annotation) if info else None
        note = info.description if info and info.description else ""
        if isinstance(value, dict) and sub:
            tree[key] = _annotate(value, sub, indent + 2, comments=comments)
        elif isinstance(value, list) and sub and value and isinstance(value[0], dict):
            tree[key] = CommentedSeq([_annotate(v, sub, comments=False) for v in value])
            fields = [f"  {name}: {f.description}" for name, f in sub.model_fields.items() if f.description]
            note = "\n".join([note, "Each entry has:", *fields])
        else:
            tree[key] = value
        if comments and note:
            tree.yaml_set_comment_before_after_key(key, before=note, indent=indent)
    return tree


def _submodel(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for arg in typing.get_args(annotation) if (m := _submodel(arg))), None)


def new_deal(playbook: str) -> str:
    """YAML text of a complete deal for `playbook`, every field commented."""
    header = (
        "# contractkit deal file. Replace every value with the facts of your partnership.\n"
        "# Every field is explained above it; docs/formats.md has the full reference.\n"
        "# Draft it with: contractkit draft THIS_FILE -o agreement.docx\n"
    )
    return header + yamlio.dump(_annotate(specimen(playbook), Deal))

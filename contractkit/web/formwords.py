"""The deal form's words: its sections in the order of a deal, and plainer labels where the
schema's description only lists codes. Everything else a lawyer reads on the form comes from the
schema's field descriptions (contractkit/model.py)."""

from __future__ import annotations

# id, title, one sentence of guidance, and the fields it holds (dotted paths; a field the playbook
# does not use is left out). dealform.build checks that every field of the deal sits in one section.
SECTIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "agreement",
        "The agreement",
        "The reference, title and date printed on the cover, and the summary published in the register.",
        (
            "agreement.reference",
            "agreement.title",
            "agreement.date",
            "agreement.version",
            "agreement.lay_summary",
            "governing_law",
        ),
    ),
    (
        "welsh",
        "In Welsh",
        "Needed when an NHS Wales body is a party: the Welsh title and summary sit beside the English ones.",
        ("agreement.title_cy", "agreement.lay_summary_cy", "agreement.locale"),
    ),
    (
        "parties",
        "Parties",
        "Every organisation that signs: the NHS bodies first (yours is the first), then the partners.",
        ("nhs_organisations", "partners"),
    ),
    (
        "purpose",
        "Purpose",
        "What the partnership is for; the aim must be to improve health, care or NHS services.",
        ("purpose.aim", "purpose.description", "purpose.commercial"),
    ),
    (
        "benefits",
        "Benefits",
        "What the NHS and patients should gain, measured against a baseline, with a target and a date.",
        ("benefits",),
    ),
    (
        "data",
        "Data",
        "Which data are shared, how identifiable they are, how they are accessed and how long they are kept.",
        (
            "data.datasets",
            "data.identifiability",
            "data.access_model",
            "data.environment",
            "data.processor_used",
            "data.national_data_opt_out",
            "data.opt_out_reason",
            "data.retention_months",
        ),
    ),
    (
        "legal-basis",
        "Legal basis",
        "The lawful bases for processing under UK GDPR and the common law duty of confidentiality.",
        ("legal_basis.article_6", "legal_basis.article_9", "legal_basis.confidentiality_basis"),
    ),
    (
        "approvals",
        "Approvals",
        "Ethics, confidentiality and data access approvals; any still pending become conditions precedent.",
        ("approvals",),
    ),
    (
        "money",
        "Money",
        "Amounts in pounds, excluding VAT: the fees that recover the NHS's costs and how it shares in the value.",
        ("commercial.fees", "commercial.value_share"),
    ),
    (
        "term",
        "Term",
        "When the agreement starts and ends, and when the benefits are reviewed; dates are read day first.",
        ("term.start", "term.end", "term.review"),
    ),
    (
        "signatories",
        "Signatories",
        "One person signs for each party; name the party by the short name given under Parties.",
        ("signatories",),
    ),
    (
        "contact",
        "Contact",
        "The NHS contact published in the register of data partnerships.",
        ("contact.name", "contact.email"),
    ),
    (
        "special-conditions",
        "Special conditions",
        "Terms particular to this deal, each printed as a sub-clause and checked for exclusivity.",
        ("special_conditions",),
    ),
)

# Plainer labels, by path or by field name, where the description starts with its list of codes
# or reads badly as a label. The description is still shown beneath as help.
LABELS = {
    "short_name": "Short name",
    "nation": "Nation",
    "sector": "Sector",
    "commercial": "May the outputs be commercialised?",
    "identifiability": "How identifiable the data are",
    "access_model": "How the data are accessed",
    "processor_used": "Does any party process data on another's behalf?",
    "national_data_opt_out": "National data opt-out",
    "status": "Status",
    "approvals.reference": "Reference number",
    "party": "Party signing",
    "signatories.title": "Job title",
    "email": "Email address",
    "model": "Type of value share",
    "locale": "Dates and amounts written in",
    "special_conditions": "Special conditions",
}
# Help in place of a description that only names a code.
HELP = {"locale": "Choose Welsh to print dates and amounts in Welsh."}

# The label of one row of a list.
ITEM_LABELS = {
    "nhs_organisations": "NHS organisation",
    "partners": "Partner",
    "benefits": "Benefit",
    "data.datasets": "Dataset",
    "approvals": "Approval",
    "commercial.fees": "Fee",
    "commercial.value_share.milestones": "Milestone payment",
    "signatories": "Signatory",
    "special_conditions": "Special condition",
}

# Choice labels: by (path, value), or ("", value) for every field with that value.
CHOICE_LABELS = {
    ("", "joint-controller"): "Joint controller",
    ("", "northern-ireland"): "Northern Ireland",
    ("governing_law", "england"): "England and Wales",
    ("", "sme"): "Small or medium-sized enterprise",
    ("", "public"): "Public body",
    ("", "nhs-analysts"): "Analysed by NHS analysts only",
    ("", "sde"): "In a secure data environment",
    ("", "release"): "Released to the partner",
    ("", "applied"): "Applied",
    ("", "not-applicable"): "Does not apply",
    ("", "not-required"): "Not required",
    ("", "cost-recovery"): "Cost recovery only",
    ("", "upfront"): "Upfront payment",
    ("", "milestones"): "Milestone payments",
    ("", "in-kind"): "Benefits in kind",
    ("", "month"): "Monthly",
    ("", "quarter"): "Quarterly",
    ("", "year"): "Yearly",
    ("", "en_GB"): "English",
    ("", "cy_GB"): "Welsh",
}

# Field names and codes as they appear in descriptions, in the form's words.
CODE_WORDS = {
    "short_name": "short name",
    "access_model is sde": "the data are accessed in a secure data environment",
    "national_data_opt_out is not-applicable": "the national data opt-out does not apply",
    "instead of headline_value": "instead of the headline value",
    "s251": "section 251",
}

# What a lawyer may type, shown in an empty input.
PLACEHOLDERS = {"date": "e.g. 1/4/2027", "money": "e.g. £48,000", "percent": "e.g. 3 or 2.5%"}


def plain(code: str) -> str:
    """A code in words: 'not-required' -> 'Not required'."""
    return code.replace("-", " ").replace("_", " ").capitalize()

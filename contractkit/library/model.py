"""Plain data: the shapes of clause, playbook, library and deal files.

Every field carries a one-sentence description; `contractkit new` and docs/formats.md are
generated from them, so the schema is the single source of truth for the file formats.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from contractkit.library.shapes import (
    ADDRESS,
    APPROVAL_REF,
    DATE_RULE,
    EMAIL,
    JOB_TITLE,
    LEGAL_NAME,
    LINE_RULE,
    LONG_TEXT_RULE,
    MONEY_RULE,
    ODS_CODE,
    PERCENT_RULE,
    PERSON_NAME,
    REFERENCE,
    SHORT_NAME,
    TEXT_RULE,
    Address,
    ApprovalRef,
    CompanyNumber,
    Email,
    JobTitle,
    LegalName,
    Line,
    LongText,
    Money,
    NonEmpty,
    OdsCode,
    Percent,
    PersonName,
    Reference,
    ShortName,
    Text,
    UkDate,
)

Principle = Literal["P1", "P2", "P3", "P4", "P5"]
PRINCIPLES: tuple[Principle, ...] = ("P1", "P2", "P3", "P4", "P5")
PRINCIPLE_NAMES = {
    "P1": "explicit aim and benefit",
    "P2": "fair terms",
    "P3": "no exclusivity, no limit on national benefit, no lock-in",
    "P4": "transparency",
    "P5": "legal, regulatory, privacy and security compliance",
}
VALUE_SHARE_CLAUSE = "value-share"  # the clause whose wording states the value-share mechanism
Status = Literal["locked", "required", "negotiable", "conditional"]
Nation = Literal["england", "wales", "scotland", "northern-ireland"]
AccessModel = Literal["nhs-analysts", "sde", "release"]
Identifiability = Literal["identifiable", "pseudonymised", "anonymised", "aggregate"]
ValueShareModel = Literal["cost-recovery", "upfront", "subscription", "milestones", "royalty", "in-kind"]
Locale = Literal["en_GB", "cy_GB"]

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --------------------------------------------------------------------------- library files


class Position(Model):
    """One approved wording of a clause."""

    label: str = Field("", description="Short name shown to negotiators, e.g. 'Partner owns foreground IP'.")
    summary: str = Field("", description="One plain-English sentence on what this wording does.")
    text: NonEmpty = Field(
        description=(
            "The clause wording: one paragraph per line; indent by two spaces per sub-level "
            "(1.1, 1.1.1, (a)); **Term** defines a term; {{ ... }} inserts deal facts and "
            "{{ ref('clause-id') }} a clause number; a line that is one {% for x in list %}...{% endfor %} "
            "loop gives one numbered paragraph per item."
        )
    )
    states: dict[str, str | bool] = Field(
        default_factory=dict,
        description=(
            "Deal facts this wording states, as field path and value, e.g. "
            "{commercial.value_share.model: royalty}. The deal's fact picks this wording when the "
            "negotiation has not, and a deal whose fact says otherwise is refused."
        ),
    )
    needs: list[str] = Field(
        default_factory=list,
        description=(
            "Deal facts this wording relies on without printing them (e.g. milestones listed in a "
            "schedule). Facts the text prints are found from the text itself; a draft missing any is warned."
        ),
    )


class Clause(Model):
    """A clause topic with its approved wordings (clauses/<id>.yaml)."""

    id: Slug = Field(description="Stable identifier; must equal the file name without .yaml.")
    title: NonEmpty = Field(description="Heading printed in the agreement.")
    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")] = Field(
        description="Semantic version of the wording; bump it whenever any text changes."
    )
    principles: list[Principle] = Field(min_length=1, description="DHSC principles the clause serves (P1..P5).")
    status: Status = Field(description="locked, required, negotiable or conditional.")
    topics: list[int] = Field(default_factory=list, description="Numbers of the domain topics (1-32) it covers.")
    summary: str = Field("", description="What the clause is for, in one sentence, for negotiators.")
    positions: dict[Slug, Position] = Field(min_length=1, description="Named wordings, keyed by position id.")

    @model_validator(mode="after")
    def _locked_has_one_position(self) -> Clause:
        if self.status == "locked" and len(self.positions) != 1:
            raise ValueError(f"a locked clause has exactly one position (got {len(self.positions)})")
        return self


class Rung(Model):
    """One approved position on a negotiation ladder."""

    position: Slug = Field(description="Position id of the clause.")
    approver: Slug = Field("negotiator", description="Role that must approve moving to this rung.")
    guidance: NonEmpty = Field(description="What the negotiator should know before offering this rung.")


class Ladder(Model):
    """Preferred position, ordered fallbacks and the walk-away note of a negotiable clause."""

    preferred: Rung = Field(description="The NHS's opening position; needs no approval.")
    fallbacks: list[Rung] = Field(default_factory=list, description="Approved fallbacks, in the order to offer them.")
    walk_away: NonEmpty = Field(description="What the NHS must not accept: the point to stop negotiating.")

    @property
    def rungs(self) -> list[Rung]:
        return [self.preferred, *self.fallbacks]


class Choice(Model):
    """Pick a position of a required clause from the deal's facts."""

    when: NonEmpty = Field(description="Safe expression over the deal, e.g. deal.governing_law == 'wales'.")
    position: Slug = Field(description="Position used when the expression is true.")


class Entry(Model):
    """A clause as placed in a playbook."""

    clause: Slug = Field(description="Clause id.")
    when: str | None = Field(None, description="For conditional clauses: include only when this expression is true.")
    choose: list[Choice] = Field(default_factory=list, description="First matching rule picks the position.")
    ladder: Ladder | None = Field(None, description="For negotiable clauses: the negotiation ladder.")


def _entry(value: object) -> object:
    return {"clause": value} if isinstance(value, str) else value


class Section(Model):
    """A group of operative clauses."""

    title: NonEmpty = Field(description="Name of the group (used in playbook listings).")
    clauses: list[Annotated[Entry, Field()]] = Field(min_length=1, description="Clause ids or entries, in order.")

    @field_validator("clauses", mode="before")
    @classmethod
    def _short_form(cls, value: object) -> object:
        return [_entry(v) for v in value] if isinstance(value, list) else value


TableKind = Literal["parties", "datasets", "benefits", "fees", "value-share", "register", "deviations", "approvals"]


class Schedule(Model):
    """A schedule at the end of the agreement."""

    id: Slug = Field(description="Identifier, for cross-references: {{ schedule('id') }}.")
    title: NonEmpty = Field(description="Heading, printed after 'Schedule N'.")
    clauses: list[Entry] = Field(default_factory=list, description="Clauses printed in the schedule.")
    tables: list[TableKind] = Field(default_factory=list, description="Tables of deal facts printed after them.")

    @field_validator("clauses", mode="before")
    @classmethod
    def _short_form(cls, value: object) -> object:
        return [_entry(v) for v in value] if isinstance(value, list) else value


class Playbook(Model):
    """An agreement type: which clauses, in which order, and how each may be negotiated."""

    id: Slug = Field(description="Identifier; must equal the file name without .yaml.")
    title: NonEmpty = Field(
        description="Agreement title printed on the cover, e.g. 'Research Collaboration Agreement'."
    )
    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")] = Field(description="Semantic version of the playbook.")
    description: str = Field("", description="When to use this playbook.")
    template: NonEmpty = Field(description="Word template file in templates/.")
    sections: list[Section] = Field(min_length=1, description="Operative clauses, grouped.")
    schedules: list[Schedule] = Field(default_factory=list, description="Schedules, in order.")

    def entries(self) -> list[Entry]:
        return [e for s in self.sections for e in s.clauses] + [e for s in self.schedules for e in s.clauses]


class RubricCheck(Model):
    """One 'what good looks like' check in the centre's benchmark."""

    id: Slug = Field(description="Identifier.")
    principle: Principle = Field(description="Principle it evidences.")
    title: NonEmpty = Field(description="What good looks like, in one sentence.")
    weight: int = Field(ge=1, le=10, description="Relative weight in the score.")
    test: NonEmpty = Field(description="Safe expression over the deal that is true when the check passes.")


class LibraryMeta(Model):
    """library.yaml: the library's version, approver roles and rubric (exclusivity rules: exclusivity.yaml)."""

    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")] = Field(description="Version of the whole library.")
    name: NonEmpty = Field(description="Who maintains the library.")
    roles: dict[Slug, NonEmpty] = Field(min_length=1, description="Approver roles and what each is.")
    role_labels: dict[Slug, NonEmpty] = Field(
        default_factory=dict,
        description="How each role is named in a document, e.g. 'Legal lead'; by default its id in words.",
    )
    rubric: list[RubricCheck] = Field(default_factory=list, description="The benchmark of what good looks like.")

    def role_label(self, role: str) -> str:
        """The printed name of an approver role: its label, else its id in words ('legal-lead' -> 'Legal lead')."""
        return self.role_labels.get(role) or role.replace("-", " ").capitalize()


# --------------------------------------------------------------------------- deal files
# Values printed in the agreement have a shape fit for what they are (contractkit/shapes.py);
# each description ends with the shape's rule, so docs/formats.md states every limit.


class Party(Model):
    name: LegalName = Field(description=f"Full legal name; {LEGAL_NAME.rule}.")
    short_name: ShortName = Field(
        description=f"Name used in the agreement after first mention, e.g. 'Northby'; {SHORT_NAME.rule}."
    )
    address: Address = Field(description=f"Registered or principal address; {ADDRESS.rule}.")
    role: Literal["controller", "joint-controller", "processor"] = Field(
        description="Data protection role: controller, joint-controller or processor."
    )


class NhsOrganisation(Party):
    """An NHS body that is a party."""

    ods_code: OdsCode = Field(description=f"Organisation Data Service code: {ODS_CODE.rule}.")
    nation: Nation = Field("england", description="england, wales, scotland or northern-ireland.")


class Partner(Party):
    """A commercial, academic or other partner."""

    company_number: CompanyNumber = Field(
        description="Companies House number: 8 characters, 8 digits (01234567) or 2 capital letters and 6 digits "
        "(SC123456); kept as written, leading zeros included."
    )
    sector: Literal["industry", "sme", "academic", "charity", "public"] = Field(
        description="industry, sme, academic, charity or public."
    )


class AgreementInfo(Model):
    reference: Reference = Field(description=f"Agreement reference, e.g. NHS-DPA-2026-0042: {REFERENCE.rule}.")
    version: int = Field(1, ge=1, description="Draft number of this agreement: a whole number from 1.")
    title: Line = Field(description=f"Short title of the project; {LINE_RULE}.")
    title_cy: Line | None = Field(
        None, description=f"Welsh title; required when an NHS Wales body is a party; {LINE_RULE}."
    )
    lay_summary: LongText = Field(description=f"Plain-English summary for the public register; {LONG_TEXT_RULE}.")
    lay_summary_cy: LongText | None = Field(
        None, description=f"Welsh lay summary; required when an NHS Wales body is a party; {LONG_TEXT_RULE}."
    )
    date: UkDate = Field(description=f"Date of the agreement (also stamped in the document properties); {DATE_RULE}.")
    locale: Locale = Field("en_GB", description="Locale for dates and money: en_GB or cy_GB.")


class Purpose(Model):
    aim: Text = Field(description=f"The explicit aim to improve health, care or NHS operations (P1); {TEXT_RULE}.")
    description: LongText = Field(description=f"What the partnership will do with the data; {LONG_TEXT_RULE}.")
    commercial: bool = Field(description="Whether outputs are or may be commercialised: yes or no.")


class Benefit(Model):
    metric: Line = Field(description=f"What is measured; {LINE_RULE}.")
    baseline: Line | None = Field(None, description=f"Value today; {LINE_RULE}.")
    target: Line | None = Field(
        None, description=f"Value to reach; a benefit without one is flagged as a gap; {LINE_RULE}."
    )
    date: UkDate | None = Field(
        None, description=f"Date by which the target is to be met, inside the term; {DATE_RULE}."
    )
    owner: ShortName | None = Field(None, description="Party that reports on it: its short_name.")


class Dataset(Model):
    name: Line = Field(description=f"Name of the dataset; {LINE_RULE}.")
    description: Text = Field(description=f"What it contains, and its minimisation; {TEXT_RULE}.")
    period: Line = Field(description="Period covered, e.g. 'April 2019 to March 2026'.")
    source: ShortName = Field(description="NHS Party that provides it: its short_name.")


class Data(Model):
    datasets: list[Dataset] = Field(min_length=1, description="Datasets to be made available.")
    identifiability: Identifiability = Field(description="identifiable, pseudonymised, anonymised or aggregate.")
    access_model: AccessModel = Field(description="nhs-analysts, sde (secure data environment) or release.")
    environment: LegalName | None = Field(
        None, description="Name of the secure data environment; required when access_model is sde."
    )
    processor_used: bool = Field(False, description="Whether a party processes data on another's behalf: yes or no.")
    national_data_opt_out: Literal["applied", "not-applicable"] = Field(description="applied or not-applicable.")
    opt_out_reason: Text | None = Field(
        None, description="Why the opt-out does not apply; required when national_data_opt_out is not-applicable."
    )
    retention_months: int = Field(
        ge=1, le=600, description="Months after the end of the Term that data may be kept: a whole number, 1 to 600."
    )


class LegalBasis(Model):
    article_6: Line = Field(description="UK GDPR Article 6 basis, e.g. '6(1)(e) public task'.")
    article_9: Line = Field(description="UK GDPR Article 9 condition, e.g. '9(2)(j) research'.")
    confidentiality_basis: Line = Field(description="Common law basis: consent, s251 support or anonymised.")


class Approval(Model):
    body: LegalName = Field(description="Approving body, e.g. 'Research Ethics Committee'.")
    reference: ApprovalRef | None = Field(None, description=f"Its reference number; {APPROVAL_REF.rule}.")
    status: Literal["granted", "pending", "not-required"] = Field(description="granted, pending or not-required.")
    date: UkDate | None = Field(None, description=f"Date granted, for a granted approval; {DATE_RULE}.")


class Fee(Model):
    description: Line = Field(description="What the fee is for.")
    amount: Money = Field(description=f"Amount excluding VAT, more than zero: {MONEY_RULE}.")


class Milestone(Model):
    event: Line = Field(description="Event that triggers the payment.")
    amount: Money = Field(description=f"Amount, more than zero: {MONEY_RULE}.")


class ValueShare(Model):
    model: ValueShareModel = Field(description="cost-recovery, upfront, subscription, milestones, royalty or in-kind.")
    headline_value: Money | None = Field(
        None, description=f"Total expected value, published in the register: {MONEY_RULE}."
    )
    value_withheld_reason: Text | None = Field(
        None, description="Why the headline value is not published; give it instead of headline_value."
    )
    royalty_percent: Percent | None = Field(None, description=f"Royalty on net revenue: {PERCENT_RULE}.")
    milestones: list[Milestone] = Field(default_factory=list, description="Milestone payments.")
    in_kind: Text | None = Field(None, description="In-kind benefits to the NHS.")
    upfront_amount: Money | None = Field(None, description=f"Upfront value-share payment, when agreed: {MONEY_RULE}.")
    subscription_amount: Money | None = Field(None, description=f"Subscription payment for each period: {MONEY_RULE}.")
    subscription_period: Literal["month", "quarter", "year"] = Field(
        "year", description="How often the subscription is paid: month, quarter or year."
    )


class Commercial(Model):
    fees: list[Fee] = Field(default_factory=list, description="Cost-recovery and access fees.")
    value_share: ValueShare = Field(description="How the NHS shares in the value created.")


class Term(Model):
    start: UkDate = Field(description=f"Start date; {DATE_RULE}.")
    end: UkDate = Field(description="End date: after the start date.")
    review: UkDate = Field(description="Date of the benefits review: inside the term.")


class Signatory(Model):
    party: ShortName = Field(description="short_name of the party signing.")
    name: PersonName = Field(description=f"Name of the person signing; {PERSON_NAME.rule}.")
    title: JobTitle = Field(description=f"Their job title; {JOB_TITLE.rule}.")


class Contact(Model):
    name: LegalName = Field(description="NHS contact for the register: a person or an office.")
    email: Email = Field(description=f"Contact email address, {EMAIL.rule}.")


class HistoryApproval(Model):
    name: NonEmpty
    role: Slug


class HistoryEntry(Model):
    """One move on a negotiation ladder, appended by `contractkit swap`."""

    timestamp: dt.datetime = Field(description="When the swap was made (UTC).")
    clause: Slug
    from_: Slug = Field(alias="from")
    to: Slug
    by: NonEmpty
    approval: HistoryApproval | Literal["pending", "not-required"]
    note: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Deal(Model):
    """A deal file: the facts of one partnership and the positions chosen in negotiation."""

    playbook: Slug = Field(description="Playbook id, e.g. research-collaboration.")
    agreement: AgreementInfo = Field(description="Reference, title, date and summaries.")
    nhs_organisations: list[NhsOrganisation] = Field(min_length=1, description="NHS parties.")
    partners: list[Partner] = Field(min_length=1, description="Partner organisations.")
    purpose: Purpose = Field(description="Aim and description of the partnership.")
    benefits: list[Benefit] = Field(min_length=1, description="Expected benefits (P1).")
    data: Data = Field(description="Data, identifiability and access model.")
    legal_basis: LegalBasis = Field(description="Lawful bases for processing.")
    approvals: list[Approval] = Field(default_factory=list, description="Approvals and conditions precedent.")
    commercial: Commercial = Field(description="Fees and value share, in GBP.")
    term: Term = Field(description="Start, end and review dates.")
    governing_law: Nation | None = Field(
        None,
        description="Law of the agreement: england (England and Wales), wales, scotland or northern-ireland; "
        "defaults to the nation of the first NHS party.",
    )
    signatories: list[Signatory] = Field(min_length=1, description="Who signs for each party.")
    contact: Contact = Field(description="NHS contact published in the register.")
    special_conditions: list[LongText] = Field(
        default_factory=list,
        description=f"Deal-specific conditions, each a sub-clause (scanned for exclusivity); {LONG_TEXT_RULE}.",
    )
    positions: dict[Slug, Slug] = Field(
        default_factory=dict, description="Clause id to position id; missing means preferred."
    )
    history: list[HistoryEntry] = Field(
        default_factory=list, description="Negotiation log written by contractkit swap."
    )

    @property
    def wales(self) -> bool:
        """True when an NHS Wales body is a party (Welsh-language and Wales variants apply)."""
        return any(o.nation == "wales" for o in self.nhs_organisations)

    @property
    def law(self) -> Nation:
        """The governing law: as stated, or the nation of the first NHS party."""
        return self.governing_law or self.nhs_organisations[0].nation

"""Plain data: the shape of a deal file, the facts of one partnership and the positions chosen in
negotiation. Values printed in the agreement have a shape fit for what they are
(library.shapes); each description ends with the shape's rule, so docs/formats.md states every
limit. The library's own files are library.model.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field

from contractkit.library.model import AccessModel, Identifiability, Locale, Model, Nation, Slug, ValueShareModel
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
    name: NonEmpty = Field(description="Name of the person who approved.")
    role: Slug = Field(description="The role in which they approved; must be the rung's approver role.")
    account: str | None = Field(None, description="Their login, when approved in the web app.")


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

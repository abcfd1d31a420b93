"""Plain data: the shapes of the library's files (clauses, playbooks, library.yaml), and what deal
files share with them (principles, statuses, coded values, the Model base). Deal files are
library.deal.

Every field carries a one-sentence description; `contractkit new` and docs/formats.md are
generated from them, so the schema is the single source of truth for the file formats.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from contractkit.library.shapes import (
    NonEmpty,
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

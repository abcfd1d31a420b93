"""The evidence a principles summary gives for each principle, and its gaps: which clauses serve
it, what the deal's facts show, and what is missing or awaits approval, worded from the message
catalogue in one locale (deal text is never translated). publishing.summary lays it out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from contractkit.core import formatting
from contractkit.core.i18n import labels
from contractkit.drafting.agreement import Agreement
from contractkit.drafting.register_entry import entry

# Topics whose locked clauses evidence principle 3, and the security clause of principle 5.
P3_TOPICS, TRANSPARENCY_TOPIC, SECURITY_TOPIC, CONSENT_TOPIC = (6, 7, 8), 21, 13, 19
COMMERCIAL_FACTS = "commercial."  # a gap in these facts is a gap in fair terms (P2)


class Evidence:
    """Evidence and gaps for each principle, worded from the catalogue in one locale."""

    def __init__(self, agreement: Agreement, locale: str) -> None:
        self.a, self.deal, self.locale, self.t = agreement, agreement.deal, locale, labels(locale)
        self.entry = entry(agreement, locale)

    def date(self, value: Any) -> str:
        return formatting.date(value, self.locale) or self.t("summary.not_stated")

    def money(self, value: Decimal) -> str:
        return formatting.money(value, self.locale)

    def code(self, value: str) -> str:
        return self.t(f"code.{value}")

    def topics(self) -> set[int]:
        return {t for c in self.a.all_clauses() for t in c.clause.topics}

    def p1(self) -> tuple[list[str], list[str]]:
        t, stated = self.t, self.t("summary.not_stated")
        evidence, gaps = [t("ev.aim", aim=self.deal.purpose.aim)], []
        for b in self.deal.benefits:
            baseline = b.baseline or stated
            if b.target:
                line = t("ev.benefit", metric=b.metric, baseline=baseline, target=b.target, date=self.date(b.date))
            else:
                line = t("ev.benefit_open", metric=b.metric, baseline=baseline)
                gaps.append(t("gap.benefit_target", metric=b.metric))
            evidence.append(line)
            if not b.date:
                gaps.append(t("gap.benefit_date", metric=b.metric))
        return evidence, gaps

    def p2(self) -> tuple[list[str], list[str]]:
        t = self.t
        evidence = [
            t("ev.fee", description=f.description, amount=self.money(f.amount)) for f in self.deal.commercial.fees
        ]
        evidence += self.value_share()
        evidence.append(t("ev.ip", label=self.entry["ip_arrangement"]))
        gaps = []
        if self.deal.purpose.commercial and self.a.value_share_model == "cost-recovery":
            gaps.append(t("gap.value_share"))
        if not self.deal.purpose.commercial and CONSENT_TOPIC not in self.topics():
            gaps.append(t("gap.consent"))
        missing = [w.field for w in self.a.warnings if w.field and w.field.startswith(COMMERCIAL_FACTS)]
        gaps += [t("gap.missing_fact", field=f) for f in dict.fromkeys(missing)]
        return evidence, gaps

    def value_share(self) -> list[str]:
        t, share, agreed = self.t, self.deal.commercial.value_share, self.a.value_share_mechanisms()
        lines = [t("ev.value_share", model=self.code(self.a.value_share_model))]
        if "upfront" in agreed and share.upfront_amount is not None:
            lines.append(t("ev.upfront", amount=self.money(share.upfront_amount)))
        if "subscription" in agreed and share.subscription_amount is not None:
            period = t(f"period.{share.subscription_period}")
            lines.append(t("ev.subscription", amount=self.money(share.subscription_amount), period=period))
        if "milestones" in agreed:
            lines += [t("ev.milestone", event=m.event, amount=self.money(m.amount)) for m in share.milestones]
        if "royalty" in agreed and share.royalty_percent is not None:
            lines.append(t("ev.royalty", percent=formatting.percent(share.royalty_percent, self.locale)))
        if "in-kind" in agreed and share.in_kind:
            lines.append(t("ev.in_kind", text=share.in_kind))
        if share.headline_value is None:
            return [*lines, t("ev.withheld", reason=share.value_withheld_reason or "")]
        return [*lines, t("ev.headline", amount=self.money(share.headline_value))]

    def p3(self) -> tuple[list[str], list[str]]:
        t = self.t
        locked = {topic: c for c in self.a.all_clauses() if c.locked for topic in c.clause.topics}
        evidence = [t("ev.exclusivity", value=t("summary.non_exclusive"))]
        evidence += [t("ev.locked", clause=self.ref(locked[n].id)) for n in P3_TOPICS if n in locked]
        evidence.append(t("ev.access", model=self.code(self.deal.data.access_model)))
        evidence.append(t("ev.onward", value=self.entry["onward_sharing"]))
        gaps = [t("gap.locked_missing", topic=n) for n in P3_TOPICS if n not in locked]
        if self.deal.data.access_model == "release":
            gaps.append(t("gap.release"))
        return evidence, gaps

    def p4(self) -> tuple[list[str], list[str]]:
        t, item = self.t, self.entry
        evidence = [
            t(
                "ev.register",
                reference=item["agreement_id"],
                status=self.code(item["status"]),
                fields=formatting.number(len(item), self.locale),
            ),
            t("ev.lay_summary"),
        ]
        if self.deal.wales:
            evidence.append(t("ev.welsh"))
        if item["headline_value"] is None:
            evidence.append(t("ev.withheld", reason=item["value_withheld_reason"] or ""))
        gaps = [] if TRANSPARENCY_TOPIC in self.topics() else [t("gap.locked_missing", topic=TRANSPARENCY_TOPIC)]
        return evidence, gaps

    def p5(self) -> tuple[list[str], list[str]]:
        t, data, basis = self.t, self.deal.data, self.deal.legal_basis
        evidence = [
            t("ev.legal", a6=basis.article_6, a9=basis.article_9, conf=basis.confidentiality_basis),
            t("ev.identifiability", value=self.code(data.identifiability)),
            t("ev.opt_out", value=self.code(data.national_data_opt_out)),
        ]
        security = next((c for c in self.a.all_clauses() if SECURITY_TOPIC in c.clause.topics), None)
        gaps = [] if security else [t("gap.security")]
        if security:
            evidence.append(t("ev.security", clause=self.ref(security.id)))
        for x in self.deal.approvals:
            ref = f" ({x.reference})" if x.reference else ""
            when = f", {self.date(x.date)}" if x.date else ""
            evidence.append(t("ev.approval", body=x.body + ref, status=self.code(x.status), date=when))
            if x.status == "pending":
                gaps.append(t("gap.approval_pending", body=x.body))
        return evidence, gaps

    def ref(self, clause_id: str) -> str:
        for placed in self.a.clauses:
            if placed.id == clause_id:
                return self.t("summary.clause_ref", number=placed.number, title=placed.clause.title)
        for sched in self.a.schedules:
            for placed in sched.clauses:
                if placed.id == clause_id:
                    return self.t("summary.schedule_ref", number=sched.number, title=placed.clause.title)
        return clause_id

    def clauses(self, principle: str) -> list[str]:
        """Short references ('4 Title', 'Schedule 1 Title'), so a long list still fits the page."""
        word = self.t("summary.locked")  # not inside an f-string: babel's extractor cannot see in there
        locked = f" ({word})"
        out = [
            self.t("summary.clause_item", number=c.number, title=c.clause.title) + (locked if c.locked else "")
            for c in self.a.clauses
            if principle in c.clause.principles
        ]
        return out + [
            self.t("summary.schedule_item", number=s.number, title=c.clause.title) + (locked if c.locked else "")
            for s in self.a.schedules
            for c in s.clauses
            if principle in c.clause.principles
        ]

    def deviations(self, principle: str) -> tuple[list[str], list[str]]:
        lines, gaps = [], []
        for d in self.a.deviations:
            if principle not in self._principles(d.clause):
                continue
            approver = d.approver_label or d.approver  # 'Legal lead', not 'legal-lead'
            state = (
                self.t("summary.pending")
                if d.pending
                else self.t("summary.approved_by", name=d.approved_by)
                if d.approved_by
                else self.t("summary.no_approval_needed")
            )
            lines.append(
                self.t("ev.deviation", clause=self.ref(d.clause), label=d.label, approver=approver, state=state)
            )
            if d.pending:
                gaps.append(self.t("gap.deviation_pending", clause=self.ref(d.clause), approver=approver))
        return lines, gaps

    def _principles(self, clause_id: str) -> list[str]:
        return next((list(c.clause.principles) for c in self.a.all_clauses() if c.id == clause_id), [])

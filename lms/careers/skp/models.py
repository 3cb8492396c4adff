"""Performance appraisal (SKP, PermenPANRB 6/2022).

An ``SkpPeriod`` is one employee's SKP for a year, or for the part of a year spent in one position:
a mutation (unit or position) or a promotion (golongan) mid-year closes the SKP at the change date
and starts a new one (``sequence`` 2, 3, ...) for the new position. Planned work results
(``SkpTarget``) are drafted by the employee and agreed by the direct supervisor, who then evaluates
them periodically (monthly, quarterly or per semester, as the instansi chooses) after each period
ends, and once at the end of the year (``SkpEvaluation``): work results
and behaviour are each rated above / meets / below expectations and the predikat follows the
matrix in ``lms.careers.skp.predikat`` (stored, so a later change of the rules never rewrites
history). Training completed in an evaluation's months is listed as evidence (``SkpEvidence``);
continuous feedback notes (``SkpFeedback``) are kept beside the period.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, in_values, utcnow
from lms.extensions import db
from lms.org.models import Employee, Unit

PERIOD_STATES = ("draft", "submitted", "agreed", "returned", "closed")
EVALUATION_KINDS = ("periodic", "annual")
RATINGS = ("di_atas", "sesuai", "di_bawah")
PREDIKATS = ("sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang")
EVALUATION_SOURCES = ("manual", "import")
FEEDBACK_KINDS = ("strength", "improvement")
#: Why an SKP ended before the year did: a move to another unit or position, or a promotion.
CHANGE_REASONS = ("mutasi", "promosi")


class SkpPeriod(TimestampMixin, db.Model):
    __tablename__ = "skp_periods"
    __table_args__ = (
        UniqueConstraint("employee_id", "year", "sequence"),
        CheckConstraint(in_values("status", PERIOD_STATES), name="status"),
        CheckConstraint("sequence >= 1", name="sequence"),
        CheckConstraint(
            "change_reason IS NULL OR " + in_values("change_reason", CHANGE_REASONS),
            name="change_reason",
        ),
        # An SKP cut short by a change ends on the change date, with the reason; never before it starts.
        CheckConstraint(
            "(ends_on IS NULL) = (change_reason IS NULL)"
            " AND (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)",
            name="ends_with_reason",
        ),
        Index("ix_skp_periods_year_status", "year", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    year: Mapped[int]
    # 1 for the year's first SKP; +1 for each SKP started by a mutation or promotion.
    sequence: Mapped[int] = mapped_column(default=1, server_default="1")
    # The first day this SKP covers (null: 1 January) and, when a change cut it short, the change
    # date: the day the new position starts, so this SKP covers [starts_on, ends_on).
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    change_reason: Mapped[str | None] = mapped_column(String(20))
    # The position the SKP was made for (a snapshot, so the history reads right after a move).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    golongan_code: Mapped[str | None] = mapped_column(String(10))
    position_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The appraiser: the direct supervisor when the period was created (and when it was agreed).
    appraiser_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    supervisor_comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None]
    agreed_at: Mapped[datetime | None]
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    unit: Mapped[Unit | None] = relationship()
    appraiser: Mapped[Employee | None] = relationship(foreign_keys=[appraiser_id])
    targets: Mapped[list[SkpTarget]] = relationship(
        back_populates="period",
        cascade="all, delete-orphan",
        order_by="[SkpTarget.position, SkpTarget.id]",
    )
    evaluations: Mapped[list[SkpEvaluation]] = relationship(
        back_populates="period",
        cascade="all, delete-orphan",
        order_by="[SkpEvaluation.kind.desc(), SkpEvaluation.sequence]",
    )
    feedback: Mapped[list[SkpFeedback]] = relationship(
        back_populates="period",
        cascade="all, delete-orphan",
        order_by="SkpFeedback.id.desc()",
    )

    @property
    def editable(self) -> bool:
        """The employee may change the planned work results."""
        return self.status in ("draft", "returned")

    @property
    def first_day(self) -> date:
        return self.starts_on or date(self.year, 1, 1)

    @property
    def end(self) -> date:
        """The first day after this SKP (exclusive end): the change date or 1 January next year."""
        return self.ends_on or date(self.year + 1, 1, 1)


class SkpTarget(db.Model):
    """A planned work result (rencana hasil kerja) with its indicator and target."""

    __tablename__ = "skp_targets"
    __table_args__ = (
        CheckConstraint("target_value IS NULL OR target_value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("skp_periods.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(Text)
    indicator: Mapped[str] = mapped_column(Text)
    target_text: Mapped[str] = mapped_column(String(200))
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))

    period: Mapped[SkpPeriod] = relationship(back_populates="targets")


class SkpEvaluation(TimestampMixin, db.Model):
    """A periodic (sequence = month 1–12 or quarter 1–4) or the annual (sequence 0) evaluation."""

    __tablename__ = "skp_evaluations"
    __table_args__ = (
        UniqueConstraint("period_id", "kind", "sequence"),
        CheckConstraint(in_values("kind", EVALUATION_KINDS), name="kind"),
        CheckConstraint(in_values("hasil_kerja", RATINGS), name="hasil_kerja"),
        CheckConstraint(in_values("perilaku", RATINGS), name="perilaku"),
        CheckConstraint(in_values("predikat", PREDIKATS), name="predikat"),
        CheckConstraint(in_values("source", EVALUATION_SOURCES), name="source"),
        CheckConstraint(
            "(kind = 'annual' AND sequence = 0) OR (kind = 'periodic' AND sequence BETWEEN 1 AND 12)",
            name="sequence",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("skp_periods.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    sequence: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(
        String(40)
    )  # "Triwulan I 2026", "Januari 2026", "Tahunan 2026"
    hasil_kerja: Mapped[str] = mapped_column(String(10))
    perilaku: Mapped[str] = mapped_column(String(10))
    predikat: Mapped[str] = mapped_column(String(20), index=True)
    # Optional rating per planned work result: {"<target id>": "di_atas" | "sesuai" | "di_bawah"}.
    target_ratings: Mapped[dict] = mapped_column(JSON, default=dict)
    # A note per BerAKHLAK core value: {"akuntabel": "...", ...}.
    behaviour_notes: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(10), default="manual")
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]

    period: Mapped[SkpPeriod] = relationship(back_populates="evaluations")
    evaluator: Mapped[Employee | None] = relationship(foreign_keys=[evaluator_id])
    evidence: Mapped[list[SkpEvidence]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="SkpEvidence.id"
    )


class SkpEvidence(db.Model):
    """A completion that fell in the evaluation's months, and whether the appraiser accepted it."""

    __tablename__ = "skp_evidence"
    __table_args__ = (UniqueConstraint("evaluation_id", "completion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("skp_evaluations.id", ondelete="CASCADE"), index=True
    )
    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id"), index=True)
    acknowledged: Mapped[bool] = mapped_column(default=False)

    evaluation: Mapped[SkpEvaluation] = relationship(back_populates="evidence")
    completion = relationship("Completion")


class SkpFeedback(db.Model):
    """Continuous feedback (umpan balik berkelanjutan) from the supervisor during the period."""

    __tablename__ = "skp_feedback"
    __table_args__ = (CheckConstraint(in_values("kind", FEEDBACK_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("skp_periods.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    period: Mapped[SkpPeriod] = relationship(back_populates="feedback")
    author: Mapped[Employee] = relationship()

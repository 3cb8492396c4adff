"""Position competencies (data) and the agency's yearly development plan.

``PositionCompetency`` is the competency standard of a position type or one level of it, loaded
from ``content/reference/position_competencies.yaml``. ``AgencyPlan`` is the plan of one year
(draft, then approved by BKPSDM, which locks it); ``AgencyPlanItem`` one planned course or
cohort, new or existing, for an OPD (or across OPDs), with its participants, JP, schedule and
budget. An Admin OPD's item starts ``proposed`` and BKPSDM accepts or declines it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.courses.models import COMPETENCY_KINDS
from lms.db import TimestampMixin, in_values
from lms.extensions import db
from lms.org.models import Employee, Unit

PLAN_STATES = ("draft", "approved")
ITEM_STATES = ("proposed", "accepted", "rejected")
#: A planned course (a catalogue course, or one still to be built) or a programme's cohort.
ITEM_FORMS = ("course", "cohort")


class PositionCompetency(db.Model):
    """A competency a position type, or one level of it, requires at a level (1-5)."""

    __tablename__ = "position_competencies"
    __table_args__ = (
        CheckConstraint(
            "(jabatan_type_code IS NULL) <> (jabatan_level_code IS NULL)", name="one_subject"
        ),
        CheckConstraint(in_values("kind", COMPETENCY_KINDS), name="kind"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        # Named: the convention's name would pass PostgreSQL's 63 characters.
        UniqueConstraint(
            "jabatan_type_code",
            "jabatan_level_code",
            "name",
            name="uq_position_competencies_subject_name",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jabatan_type_code: Mapped[str | None] = mapped_column(ForeignKey("jabatan_types.code"))
    jabatan_level_code: Mapped[str | None] = mapped_column(ForeignKey("jabatan_levels.code"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(default=1)
    #: Order of the file.
    position: Mapped[int] = mapped_column(default=0)
    #: An example the instansi replaces with its own standard (labelled on screen).
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)


class AgencyPlan(TimestampMixin, db.Model):
    """The agency's development plan of one year."""

    __tablename__ = "agency_plans"
    __table_args__ = (
        UniqueConstraint("year"),
        CheckConstraint(in_values("status", PLAN_STATES), name="status"),
        CheckConstraint("status <> 'approved' OR approved_at IS NOT NULL", name="approved_when"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="draft")
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    items: Mapped[list[AgencyPlanItem]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="AgencyPlanItem.id"
    )

    @property
    def editable(self) -> bool:
        return self.status == "draft"


class AgencyPlanItem(TimestampMixin, db.Model):
    """One planned course or cohort: for whom, how many, how long, when and at what cost."""

    __tablename__ = "agency_plan_items"
    __table_args__ = (
        CheckConstraint(in_values("status", ITEM_STATES), name="status"),
        CheckConstraint(in_values("form", ITEM_FORMS), name="form"),
        CheckConstraint(in_values("competency_kind", COMPETENCY_KINDS), name="competency_kind"),
        CheckConstraint("form = 'course' OR course_id IS NULL", name="course_of_course"),
        CheckConstraint("form = 'cohort' OR cohort_id IS NULL", name="cohort_of_cohort"),
        CheckConstraint("title <> ''", name="title_given"),
        CheckConstraint("target_count > 0", name="target_positive"),
        CheckConstraint("jp > 0", name="jp_positive"),
        CheckConstraint("budget >= 0", name="budget_not_negative"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"),
        # A month, when given, lies in the item's quarter.
        CheckConstraint(
            "month IS NULL OR (month BETWEEN 1 AND 12 AND (month - 1) / 3 + 1 = quarter)",
            name="month_in_quarter",
        ),
        CheckConstraint("status <> 'rejected' OR decision_note <> ''", name="rejected_has_note"),
        Index("ix_agency_plan_items_plan_status", "plan_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("agency_plans.id", ondelete="CASCADE"))
    #: The OPD the item is for; None: across OPDs (BKPSDM only).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    competency: Mapped[str] = mapped_column(String(300))
    competency_kind: Mapped[str] = mapped_column(String(20))
    #: The position level the item is meant for; None: any.
    jabatan_level_code: Mapped[str | None] = mapped_column(ForeignKey("jabatan_levels.code"))
    form: Mapped[str] = mapped_column(String(20), default="course")
    #: The existing course or cohort; both None: a new one, named by ``title``, to be linked
    #: once it exists (only then is it tracked).
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    target_count: Mapped[int]
    #: JP per participant.
    jp: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    quarter: Mapped[int]
    month: Mapped[int | None]
    #: Rupiah, whole.
    budget: Mapped[Decimal] = mapped_column(Numeric(15, 0), default=Decimal(0))
    note: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[AgencyPlan] = relationship(back_populates="items")
    unit: Mapped[Unit | None] = relationship()
    jabatan_level = relationship("JabatanLevel")
    course = relationship("Course")
    cohort = relationship("Cohort")
    participants: Mapped[list[AgencyPlanParticipant]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="AgencyPlanParticipant.id"
    )

    @property
    def is_new(self) -> bool:
        """Not linked to a course or cohort yet."""
        return self.course_id is None and self.cohort_id is None

    @property
    def total_jp(self) -> Decimal:
        return self.jp * self.target_count


class AgencyPlanParticipant(db.Model):
    """A participant named for an item (the employees whose need it answers)."""

    __tablename__ = "agency_plan_participants"
    __table_args__ = (UniqueConstraint("item_id", "employee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("agency_plan_items.id", ondelete="CASCADE"), index=True
    )
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)

    item: Mapped[AgencyPlanItem] = relationship(back_populates="participants")
    employee: Mapped[Employee] = relationship()

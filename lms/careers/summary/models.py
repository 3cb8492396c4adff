"""The summary tables: derived data, recomputable at any time from the source rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db

ZERO = Decimal(0)


class EmployeeYearSummary(db.Model):
    """One employee's ledger in one year; no row means nothing counted (every figure 0)."""

    __tablename__ = "employee_year_summary"
    __table_args__ = (
        CheckConstraint("jp_total >= 0", name="jp_total_nonnegative"),
        CheckConstraint(
            "jp_teknis >= 0 AND jp_manajerial >= 0 AND jp_sosial_kultural >= 0",
            name="jp_kinds_nonnegative",
        ),
        CheckConstraint("completions >= 0", name="completions_nonnegative"),
        # Issue 19: the BKPSDM dashboard counts the employees at target this year and those who
        # had reached it by this date last year from a range of these, not from every employee.
        Index("ix_employee_year_summary_year_jp_total", "year", "jp_total"),
        Index("ix_employee_year_summary_year_target_reached_on", "year", "target_reached_on"),
    )

    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    # The JP ledger (``careers.ledger.queries.jp_totals``): verified records, JP counted once.
    jp_total: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=ZERO)
    jp_teknis: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=ZERO)
    jp_manajerial: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=ZERO)
    jp_sosial_kultural: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=ZERO)
    # Valid completions whose JP year is this year (courses and programmes).
    completions: Mapped[int] = mapped_column(default=0)
    # The development plan of that year (None: no plan).
    plan_status: Mapped[str | None] = mapped_column(String(20))
    # The first day (``ends_on``) by which the counted JP reached the general target (the
    # dashboard's trend "on this date last year"); None when not reached.
    target_reached_on: Mapped[date | None]


class UnitPeriodSummary(db.Model):
    """Valid completions per OPD at completion and local day (``unit_id`` 0: none recorded);
    a month is the sum of its days, and a month "so far" the days before today plus today's few
    rows from the completions."""

    __tablename__ = "unit_period_summary"
    __table_args__ = (
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        CheckConstraint("day BETWEEN 1 AND 31", name="day_range"),
        CheckConstraint("unit_id >= 0", name="unit_nonnegative"),
        CheckConstraint("completions >= 0 AND jp >= 0", name="figures_nonnegative"),
    )

    # Not a foreign key: 0 stands for completions without a recorded OPD.
    unit_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    completions: Mapped[int] = mapped_column(default=0)
    # The JP these completions add, counted once (a course inside a programme adds 0).
    jp: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=ZERO)

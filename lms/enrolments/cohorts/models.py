"""Programme kinds (Latsar, PKP, PKA, PKN, the instansi's own), programmes (ordered courses) and
their cohorts (angkatan): dates, phases, quota, eligibility, the organiser, closing, the
organiser's phase marks and participants' results. A participant's approvals are ``Approval`` rows
of ``lms.enrolments.models`` shared with plain enrolment."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import PartnerInstitution
from lms.db import TimestampMixin, in_values, utcnow
from lms.enrolments.models import ENROLMENT_STATES, Approval
from lms.extensions import db
from lms.org.models import Employee

#: The phases of an agenda (LAN): self-study, distance learning, classroom, the workplace project,
#: the closing evaluation (seminar).
PHASE_KINDS = ("self_study", "distance", "classroom", "project", "evaluation")
#: The workplace change project a kind requires: Latsar's aktualisasi, the leadership programmes'
#: aksi perubahan.
PROJECT_KINDS = ("aktualisasi", "aksi_perubahan")
#: A participant's outcome, set when the organiser closes the cohort.
MEMBER_RESULTS = ("passed", "failed")


class ProgrammeKind(db.Model):
    """A kind of programme as data (``content/reference/programme_kinds.yaml``)."""

    __tablename__ = "programme_kinds"
    __table_args__ = (
        CheckConstraint(
            "project IS NULL OR " + in_values("project", PROJECT_KINDS), name="project"
        ),
        CheckConstraint("jp IS NULL OR jp > 0", name="jp_positive"),
    )

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Structural (leadership) training goes to SIASN as riwayat diklat; the rest as riwayat kursus.
    structural: Mapped[bool] = mapped_column(Boolean, default=False)
    latihan_struktural_id: Mapped[int | None]
    project: Mapped[str | None] = mapped_column(String(20))
    jp: Mapped[int | None]
    #: Default agenda: ``[{kind, name, jp, days}]`` in order.
    phases: Mapped[list] = mapped_column(JSON, default=list)
    eligibility: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)


class Programme(TimestampMixin, db.Model):
    __tablename__ = "programmes"
    __table_args__ = (CheckConstraint("jp IS NULL OR jp > 0", name="jp_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    jenis_diklat_code: Mapped[int | None] = mapped_column(ForeignKey("jenis_diklat.code"))
    eligibility: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Null: an older programme, treated as the instansi's own.
    kind_code: Mapped[str | None] = mapped_column(ForeignKey("programme_kinds.code"), index=True)
    #: The programme's own hours (counted once); null: the sum of its cohort's phases.
    jp: Mapped[int | None]

    kind: Mapped[ProgrammeKind | None] = relationship()
    courses: Mapped[list[ProgrammeCourse]] = relationship(
        order_by="ProgrammeCourse.position", cascade="all, delete-orphan"
    )
    cohorts: Mapped[list[Cohort]] = relationship(
        back_populates="programme", order_by="Cohort.starts_on"
    )


class ProgrammeCourse(db.Model):
    __tablename__ = "programme_courses"
    __table_args__ = (UniqueConstraint("programme_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    position: Mapped[int] = mapped_column(default=0)

    course = relationship("Course")


class Cohort(TimestampMixin, db.Model):
    """An angkatan of a programme: dates, quota, eligibility, phases and participants."""

    __tablename__ = "cohorts"
    __table_args__ = (
        CheckConstraint("quota IS NULL OR quota > 0", name="quota_positive"),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    enrol_deadline: Mapped[date | None]
    quota: Mapped[int | None]
    place: Mapped[str] = mapped_column(String(200), default="")
    approval_steps: Mapped[str] = mapped_column(String(30), default="supervisor,hr")
    eligibility: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The organiser (penyelenggara): null is BKPSDM, else a partner institution.
    organiser_partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_institutions.id", ondelete="RESTRICT")
    )
    #: Set when the organiser closes the cohort; results are final from then on.
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    programme: Mapped[Programme] = relationship(back_populates="cohorts")
    organiser_partner: Mapped[PartnerInstitution | None] = relationship()
    phases: Mapped[list[CohortPhase]] = relationship(
        order_by="CohortPhase.position", cascade="all, delete-orphan"
    )
    members: Mapped[list[CohortMember]] = relationship(back_populates="cohort")


class CohortPhase(db.Model):
    __tablename__ = "cohort_phases"
    __table_args__ = (
        CheckConstraint(in_values("kind", PHASE_KINDS), name="kind"),
        CheckConstraint("jp IS NULL OR jp >= 0", name="jp_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="self_study")
    jp: Mapped[int | None]
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]


class CohortMember(TimestampMixin, db.Model):
    __tablename__ = "cohort_members"
    __table_args__ = (
        UniqueConstraint("cohort_id", "employee_id"),
        CheckConstraint(in_values("status", ENROLMENT_STATES), name="status"),
        CheckConstraint("result IS NULL OR " + in_values("result", MEMBER_RESULTS), name="result"),
        CheckConstraint(
            "final_score IS NULL OR (final_score >= 0 AND final_score <= 100)", name="score_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default="nomination")
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The outcome written when the cohort is closed: passed (an STTPP) or failed (none).
    result: Mapped[str | None] = mapped_column(String(10))
    final_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    qualification: Mapped[str] = mapped_column(String(60), default="")
    result_note: Mapped[str] = mapped_column(Text, default="")

    cohort: Mapped[Cohort] = relationship(back_populates="members")
    employee: Mapped[Employee] = relationship()
    approvals: Mapped[list[Approval]] = relationship(
        back_populates="cohort_member", order_by="Approval.position", cascade="all, delete-orphan"
    )


class PhaseMark(db.Model):
    """The organiser's mark that a participant met a phase: attendance of the classroom phase, or
    a self-study or distance phase followed outside the courses. One row per phase and
    participant; the phase and the participant belong to the same cohort (the service checks)."""

    __tablename__ = "cohort_phase_marks"
    __table_args__ = (UniqueConstraint("phase_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("cohort_phases.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(
        ForeignKey("cohort_members.id", ondelete="CASCADE"), index=True
    )
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)

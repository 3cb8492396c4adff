"""Assignments of a cohort participant's coach, mentor and examiners.

One row per (participant, role, account). A participant has at most one coach and one explicit
mentor (a partial unique index); without a mentor row the mentor is the participant's direct
supervisor (``Employee.supervisor_id``), read live, so a supervisor who changes hands the
project to the new one. Examiners are set with the seminar, one or more per participant.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.db import in_values, utcnow
from lms.extensions import db

#: The three people around a participant's workplace project (DOMAIN.md).
COHORT_ROLES = ("coach", "mentor", "examiner")
#: Roles a participant has once at most (examiners: as many as the seminar needs).
SINGLE_ROLES = ("coach", "mentor")


class CohortRole(db.Model):
    __tablename__ = "cohort_roles"
    __table_args__ = (
        UniqueConstraint("member_id", "role", "user_id"),
        CheckConstraint(in_values("role", COHORT_ROLES), name="role"),
        Index(
            "uq_cohort_roles_single",
            "member_id",
            "role",
            unique=True,
            sqlite_where=text("role IN ('coach', 'mentor')"),
            postgresql_where=text("role IN ('coach', 'mentor')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("cohort_members.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

"""Learner state of a SCORM item: one row per learner, SCO and attempt.

The columns are what reports, completion and resume read (statuses, score, location, suspend data,
total time); ``cmi`` keeps the rest as data: interactions, objectives, comments, preferences, and
the open session (``session`` = {"id", "cs"}) whose time is folded into ``total_time_cs`` when the
next session starts, so a session whose tab died still counts, and counts once.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import in_values, utcnow
from lms.extensions import db
from lms.packages.models import PackageSco
from lms.packages.runtime.cmi import COMPLETION_STATUSES, LESSON_STATUSES, SUCCESS_STATUSES


class ScoAttempt(db.Model):
    __tablename__ = "sco_attempts"
    __table_args__ = (
        UniqueConstraint("sco_id", "user_id", "attempt"),
        CheckConstraint("attempt >= 1", name="attempt_positive"),
        CheckConstraint(
            "lesson_status IS NULL OR " + in_values("lesson_status", LESSON_STATUSES),
            name="lesson_status",
        ),
        CheckConstraint(
            "completion_status IS NULL OR " + in_values("completion_status", COMPLETION_STATUSES),
            name="completion_status",
        ),
        CheckConstraint(
            "success_status IS NULL OR " + in_values("success_status", SUCCESS_STATUSES),
            name="success_status",
        ),
        CheckConstraint(
            "score_scaled IS NULL OR (score_scaled >= -1 AND score_scaled <= 1)",
            name="score_scaled_range",
        ),
        CheckConstraint("total_time_cs >= 0", name="total_time_not_negative"),
        CheckConstraint("length(location) <= 1000", name="location_length"),
        CheckConstraint("length(suspend_data) <= 64000", name="suspend_data_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sco_id: Mapped[int] = mapped_column(ForeignKey("package_scos.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    attempt: Mapped[int] = mapped_column(default=1)
    # A BKPSDM reviewer plays as a learner would; the row says so, and completion ignores it.
    is_review: Mapped[bool] = mapped_column(default=False)
    lesson_status: Mapped[str | None] = mapped_column(String(20))  # SCORM 1.2
    completion_status: Mapped[str | None] = mapped_column(String(20))  # SCORM 2004
    success_status: Mapped[str | None] = mapped_column(String(20))  # SCORM 2004
    score_raw: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    score_min: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    score_max: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    score_scaled: Mapped[Decimal | None] = mapped_column(Numeric(8, 7))
    location: Mapped[str] = mapped_column(String(1000), default="")
    suspend_data: Mapped[str] = mapped_column(Text, default="")
    exit: Mapped[str] = mapped_column(String(10), default="")
    total_time_cs: Mapped[int] = mapped_column(default=0)
    cmi: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    sco: Mapped[PackageSco] = relationship()


class ContentGrant(db.Model):
    """The renewed lease of a signed content URL (lms.packages.runtime.content).

    A launch's token works for ``CONTENT_URL_TTL`` seconds; the player page renews it while it
    is open (as the signed-in learner it names), which writes this row: until ``expires_at`` the
    token keeps working. So a long session keeps its URLs, and a URL copied out of it stops
    working at most one TTL after the learner's player closed, for anybody."""

    __tablename__ = "content_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The token's random nonce: a launch signs a token without writing; its first renewal
    # writes this row.
    nonce: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("package_versions.id", ondelete="CASCADE"))
    sco_id: Mapped[int] = mapped_column(ForeignKey("package_scos.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)

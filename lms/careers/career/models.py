"""``CareerRequirement`` says which programme a position type or level requires (Administrator
requires PKA); the career view and HR's shortage list read it."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db


class CareerRequirement(db.Model):
    """A programme that a position type (or one level of it) requires, by programme code."""

    __tablename__ = "career_requirements"
    __table_args__ = (
        CheckConstraint(
            "(jabatan_type_code IS NULL) <> (jabatan_level_code IS NULL)", name="one_position"
        ),
        UniqueConstraint("jabatan_type_code", "jabatan_level_code", "programme_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jabatan_type_code: Mapped[str | None] = mapped_column(ForeignKey("jabatan_types.code"))
    jabatan_level_code: Mapped[str | None] = mapped_column(ForeignKey("jabatan_levels.code"))
    # Matched against Programme.code (and the code snapshot on a completion); no FK, so a rule
    # may name a programme before it is set up here.
    programme_code: Mapped[str] = mapped_column(String(40))
    programme_name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")

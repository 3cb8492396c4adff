"""The career structure as data: ``CareerStep`` says which position follows which (the structural
ladder, the functional ladders beside it, the crossings between them); ``CareerRequirement``
says what a position type, one level or an employee kind requires (Administrator requires PKA,
a CPNS Latsar). The career view and HR's gap list read them."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import in_values
from lms.extensions import db
from lms.org.models import EMPLOYEE_KINDS

#: The structural (leadership) track and the functional track beside it.
TRACKS = ("struktural", "fungsional")


class CareerRequirement(db.Model):
    """What a position type, one level of it, or an employee kind requires, by code."""

    __tablename__ = "career_requirements"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN jabatan_type_code IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN jabatan_level_code IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN employee_kind IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_subject",
        ),
        CheckConstraint(
            "employee_kind IS NULL OR " + in_values("employee_kind", EMPLOYEE_KINDS),
            name="employee_kind",
        ),
        UniqueConstraint("jabatan_type_code", "jabatan_level_code", "programme_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jabatan_type_code: Mapped[str | None] = mapped_column(ForeignKey("jabatan_types.code"))
    jabatan_level_code: Mapped[str | None] = mapped_column(ForeignKey("jabatan_levels.code"))
    #: ``cpns``: what a candidate needs to be appointed PNS (Latsar).
    employee_kind: Mapped[str | None] = mapped_column(String(10))
    # A programme KIND code (PKP, PKA, PKN2, PKN1, LATSAR), met by a completion of a programme of
    # that kind or of an older kind-less programme with this code; any other code (an uji
    # kompetensi) only by a verified record named after ``programme_name``. No FK, so a rule may
    # name a kind or a test that is not set up here.
    programme_code: Mapped[str] = mapped_column(String(40))
    programme_name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    #: False: asked only of someone moving into the position, not of whoever holds it (HR's gap
    #: list and the current-position card leave it out).
    for_holders: Mapped[bool] = mapped_column(Boolean, default=True)
    #: An example the instansi edits, labelled as such on screen.
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)


class CareerStep(db.Model):
    """One move from a position (a jabatan level) to the next: the next rung of a ladder, or a
    crossing to another track. ``track`` is the track of the position moved to."""

    __tablename__ = "career_steps"
    __table_args__ = (
        CheckConstraint(in_values("track", TRACKS), name="track"),
        CheckConstraint("from_level_code <> to_level_code", name="moves"),
        UniqueConstraint("from_level_code", "to_level_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_level_code: Mapped[str] = mapped_column(ForeignKey("jabatan_levels.code"), index=True)
    to_level_code: Mapped[str] = mapped_column(ForeignKey("jabatan_levels.code"))
    track: Mapped[str] = mapped_column(String(20))
    #: False: the next rung of the own ladder; True: a move to another track.
    crossing: Mapped[bool] = mapped_column(Boolean, default=False)
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    #: Order of the file (ladders first, then crossings).
    position: Mapped[int] = mapped_column(default=0)

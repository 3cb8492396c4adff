"""Organisation: instansi, the unit tree, reference data and employees."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    DDL,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, in_values
from lms.extensions import db

UNIT_KINDS = ("opd", "bidang", "bagian", "seksi", "subbagian", "upt")
EMPLOYEE_KINDS = ("pns", "cpns", "pppk")
#: How often an instansi evaluates SKP during the year (PermenPANRB 6/2022 lets it choose).
EVALUATION_PERIODS = ("monthly", "quarterly", "semester")
#: A golongan belongs to the PNS scale (I/a–IV/e) or the PPPK scale (I–XVII, Perpres 98/2020).
GOLONGAN_KINDS = ("pns", "pppk")


class Instansi(TimestampMixin, db.Model):
    __tablename__ = "instansi"
    __table_args__ = (
        CheckConstraint(
            in_values("evaluation_period", EVALUATION_PERIODS), name="evaluation_period"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(100), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    # SKP periodic evaluations: monthly, quarterly or per semester (BKPSDM sets it).
    evaluation_period: Mapped[str] = mapped_column(String(20), default="quarterly")


class Unit(TimestampMixin, db.Model):
    """A node of the unit tree. ``path`` is a materialised path ("/3/17/") for subtree scope."""

    __tablename__ = "units"
    __table_args__ = (CheckConstraint(in_values("kind", UNIT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instansi_id: Mapped[int] = mapped_column(ForeignKey("instansi.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    siasn_id: Mapped[str | None] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(400), default="", index=True)

    instansi: Mapped[Instansi] = relationship()
    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id", back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")

    @property
    def depth(self) -> int:
        return Unit.depth_of(self.path)

    @staticmethod
    def depth_of(path: str) -> int:
        """How deep the unit at ``path`` ("/3/17/") sits below the top of the tree."""
        return max(path.count("/") - 2, 0)

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class Golongan(db.Model):
    """A grade: PNS golongan/ruang with its pangkat, or a PPPK golongan (no pangkat)."""

    __tablename__ = "golongan"
    __table_args__ = (CheckConstraint(in_values("kind", GOLONGAN_KINDS), name="kind"),)

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="pns", server_default="pns")
    # SIASN's reference id; unknown (null) for the PPPK grades until confirmed.
    siasn_id: Mapped[int | None] = mapped_column(unique=True)
    pangkat: Mapped[str] = mapped_column(String(100), default="")
    rank: Mapped[int] = mapped_column(default=0)

    @property
    def label(self) -> str:
        if self.kind == "pppk":
            return f"Golongan {self.code} (PPPK)"
        return f"{self.pangkat} ({self.code})"


class JabatanType(db.Model):
    __tablename__ = "jabatan_types"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    rank: Mapped[int] = mapped_column(default=0)


class JabatanLevel(db.Model):
    __tablename__ = "jabatan_levels"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    type_code: Mapped[str] = mapped_column(ForeignKey("jabatan_types.code"))
    name: Mapped[str] = mapped_column(String(100))
    rank: Mapped[int] = mapped_column(default=0)


class JenisDiklat(db.Model):
    """SIASN development-form codes (jenis diklat), editable reference data."""

    __tablename__ = "jenis_diklat"
    __table_args__ = (
        CheckConstraint(in_values("category", ("klasikal", "nonklasikal")), "category"),
    )

    code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(150))
    category: Mapped[str] = mapped_column(String(20))


class Employee(TimestampMixin, db.Model):
    __tablename__ = "employees"
    __table_args__ = (
        CheckConstraint("length(nip) = 18", name="nip_length"),
        CheckConstraint(in_values("kind", EMPLOYEE_KINDS), name="kind"),
        CheckConstraint("gender IN ('L', 'P')", name="gender"),
        CheckConstraint("supervisor_id IS NULL OR supervisor_id <> id", name="not_own_supervisor"),
        UniqueConstraint("nip"),
        # Names in list order, ids included: a search by name walks the first names reading the
        # index alone (lms.org.search.NAME_WALK; issue 19).
        Index("ix_employees_full_name_id", "full_name", "id"),
        # A supervisor's active reports in name order, from the index alone (the dashboard's
        # team cards read only the first few; issue 19).
        Index(
            "ix_employees_supervisor_active_name", "supervisor_id", "is_active", "full_name", "id"
        ),
        # The city's active-employee counts (BKPSDM overview) read this index only (issue 19).
        # PostgreSQL only: SQLite without ANALYZE statistics preferred it to the supervisor
        # index for "reports of X that are active" and read every active employee (12 ms).
        Index("ix_employees_is_active_unit_id", "is_active", "unit_id").ddl_if(
            dialect="postgresql"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nip: Mapped[str] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(10), default="pns")
    full_name: Mapped[str] = mapped_column(String(150))
    front_title: Mapped[str] = mapped_column(String(50), default="")
    back_title: Mapped[str] = mapped_column(String(80), default="")
    gender: Mapped[str] = mapped_column(String(1))
    birth_place: Mapped[str] = mapped_column(String(100), default="")
    birth_date: Mapped[date | None]
    golongan_code: Mapped[str | None] = mapped_column(ForeignKey("golongan.code"))
    jabatan_type_code: Mapped[str | None] = mapped_column(ForeignKey("jabatan_types.code"))
    jabatan_level_code: Mapped[str | None] = mapped_column(ForeignKey("jabatan_levels.code"))
    position_name: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(default=True)

    unit: Mapped[Unit] = relationship()
    golongan: Mapped[Golongan | None] = relationship()
    jabatan_type: Mapped[JabatanType | None] = relationship()
    jabatan_level: Mapped[JabatanLevel | None] = relationship()
    supervisor: Mapped[Employee | None] = relationship(remote_side="Employee.id")

    @property
    def display_name(self) -> str:
        return display_name(self.front_title, self.full_name, self.back_title)

    @property
    def nip_display(self) -> str:
        from lms.org.nip import format_nip

        return format_nip(self.nip)

    def __repr__(self) -> str:
        return f"<Employee {self.nip}>"


def display_name(front_title: str | None, full_name: str, back_title: str | None) -> str:
    """A name with its titles ("dr. Sari Dewi, M.Kes."), for rows read without the model."""
    name = f"{front_title or ''} {full_name}".strip()
    return f"{name}, {back_title}" if back_title else name


# The employee list's search by a part of the name (LIKE '%q%' on the lowered name): trigrams find
# a rare name among 150,000 without reading them all, where the name-order index serves only a
# common one (issue 19; tests/test_explain.py). PostgreSQL only (pg_trgm, created before the
# table; migration 0011t): SQLite has no trigram index.
Index(
    "ix_employees_full_name_trgm",
    func.lower(Employee.__table__.c.full_name).label("full_name_lower"),
    postgresql_using="gin",
    postgresql_ops={"full_name_lower": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")
event.listen(
    Employee.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)

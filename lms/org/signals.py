"""What the organisation announces to the features above it (arrows point down: org never
imports them; they subscribe).

``position_changed`` is sent after an existing employee's unit, position or golongan was saved
(by the employee form or the import), inside the same transaction, with:

- ``sender``: the ``Employee`` (already flushed with the new values),
- ``before`` / ``after``: ``Position`` snapshots,
- ``on``: the change date (the agency's local date when HR recorded it).

Careers starts a new SKP for the new position (PermenPANRB 6/2022: a mutation or a promotion
mid-year starts a new SKP). Receivers flush, never commit; a receiver that raises aborts the save.

``reference_loaded`` is sent by ``load_reference`` after the organisation's reference tables
were upserted (flushed, not committed), with:

- ``sender``: the reference directory,
- ``counts``: the rows per table so far; a receiver that loads reference data of its own adds
  its count (careers: ``career_tracks`` and ``career_requirements``, the career structure and
  what positions require).
"""

from __future__ import annotations

from dataclasses import dataclass

from blinker import Namespace

from lms.org.models import Employee

_signals = Namespace()

position_changed = _signals.signal("position-changed")
reference_loaded = _signals.signal("reference-loaded")


@dataclass(frozen=True)
class Position:
    """Where an employee sits: unit, position and grade (what a mutation or promotion changes)."""

    unit_id: int | None
    jabatan_type_code: str | None
    jabatan_level_code: str | None
    position_name: str
    golongan_code: str | None

    @classmethod
    def of(cls, employee: Employee) -> Position:
        return cls(
            employee.unit_id,
            employee.jabatan_type_code,
            employee.jabatan_level_code,
            (employee.position_name or "").strip(),
            employee.golongan_code,
        )

    def moved_from(self, before: Position) -> bool:
        """A mutation: another unit or another position."""
        return (
            self.unit_id,
            self.jabatan_type_code,
            self.jabatan_level_code,
            self.position_name,
        ) != (
            before.unit_id,
            before.jabatan_type_code,
            before.jabatan_level_code,
            before.position_name,
        )

    def promoted_from(self, before: Position) -> bool:
        """A change of golongan (a promotion, or a correction HR records the same way)."""
        return self.golongan_code != before.golongan_code

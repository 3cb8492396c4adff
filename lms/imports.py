"""What checking an uploaded table (CSV/XLSX) finds: rows ready to save, row errors, file errors.

Imports are all or nothing: a preview lists every problem, and only a clean one may be applied.
So a preview must find everything the database would refuse at confirm time: a text longer than
its column (PostgreSQL refuses it, SQLite would not) or a year no date column or conversion takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from flask_babel import gettext as _
from sqlalchemy import inspect

YEAR_MIN = 1900
YEAR_MAX = 2100

T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    """A problem in one row of the file; ``column`` names the file's column."""

    row: int
    column: str
    message: str


@dataclass
class RowsPreview(Generic[T]):
    """The checked rows of an upload; nothing has been written yet."""

    rows: list[T] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Ready to apply: some rows, and no row or file errors."""
        return not self.errors and not self.file_errors and bool(self.rows)


def column_length(model: Any, attribute: str) -> int | None:
    """The declared length of a model's string column (None for Text and non-strings)."""
    column = inspect(model).columns[attribute]
    return getattr(column.type, "length", None)


def length_errors(
    row: int, model: Any, values: Mapping[str, tuple[str, str | None]]
) -> list[RowError]:
    """One error per value longer than the model's column it will be written to.

    ``values`` maps the file's column name to (the model attribute, the cleaned value), so the
    message names the column the user typed into and the limit comes from the model itself.
    """
    errors = []
    for file_column, (attribute, value) in values.items():
        limit = column_length(model, attribute)
        if value and limit is not None and len(value) > limit:
            errors.append(
                RowError(
                    row,
                    file_column,
                    _(
                        "Isian terlalu panjang: %(n)s karakter, paling banyak %(max)s.",
                        n=len(value),
                        max=limit,
                    ),
                )
            )
    return errors


def year_problem(day: date) -> str | None:
    """A date whose year no record of this system can have (0001, 9999)."""
    if YEAR_MIN <= day.year <= YEAR_MAX:
        return None
    return _(
        "Tahun %(y)s tidak valid; harus antara %(a)s dan %(b)s.", y=day.year, a=YEAR_MIN, b=YEAR_MAX
    )

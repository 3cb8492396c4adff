"""What checking an uploaded table (CSV/XLSX) finds: rows ready to save, row errors, file errors.

Imports are all or nothing: a preview lists every problem, and only a clean one may be applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

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

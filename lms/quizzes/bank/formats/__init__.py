"""Question bank exchange formats (Moodle-compatible GIFT and Aiken).

Importers take the uploaded bytes (they decide the encoding themselves, so that a non-UTF-8 file
is refused instead of being mis-decoded) and return an :class:`ImportResult` that can be shown
to the trainer as a preview before anything is saved.
"""

from .aiken import export_aiken, parse_aiken
from .gift import parse_gift
from .gift_export import export_gift
from .types import (
    BLANK,
    QUESTION_TYPES,
    TEXT_FORMATS,
    Answer,
    FormatError,
    ImportResult,
    Question,
)

__all__ = [
    "BLANK",
    "QUESTION_TYPES",
    "TEXT_FORMATS",
    "Answer",
    "FormatError",
    "ImportResult",
    "Question",
    "export_aiken",
    "export_gift",
    "parse_aiken",
    "parse_gift",
]

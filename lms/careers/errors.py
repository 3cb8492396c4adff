"""The two refusals every careers service raises; views show them and write nothing."""

from __future__ import annotations

from lms.errors import DomainError


class CareerError(DomainError):
    """A refused action; the message is for the user."""


class RecordInvalid(Exception):
    """Bad input, per field: ``errors`` maps a form field name to an Indonesian message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors

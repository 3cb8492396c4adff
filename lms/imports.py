"""The one upload -> preview -> keep -> confirm flow of every import, and what checking an uploaded
table (CSV/XLSX) finds: rows ready to save, row errors, file errors.

Imports are all or nothing: a preview lists every problem, and only a clean one may be applied.
So a preview must find everything the database would refuse at confirm time: a text longer than
its column (PostgreSQL refuses it, SQLite would not) or a year no date column or conversion takes.

The flow, the same for employees, SKP appraisals, the question bank, classroom completions, SIASN
results and bulk enrolment:

1. ``read_upload`` reads the file within ``IMPORT_MAX_BYTES`` (413 beyond).
2. The feature checks it and the view renders the preview with ``preview_status(ok)``: **200 when
   the import can be confirmed, 422 when it cannot** (an unreadable file, rows with errors, nothing
   to import). A confirmation that fails re-renders the preview with 422 too. One failure, one
   status code, whichever importer it is.
3. A confirmable upload is kept with ``PendingImport.keep`` under a random key bound to the
   uploader's session (the confirm form carries the key; a key the session does not hold is
   refused, so nobody can confirm or delete another user's file).
4. ``PendingImport.take`` hands the kept bytes back at confirm time, or None when the preview is no
   longer valid (``STALE``: the view flashes it and redirects to the upload page).
5. ``PendingImport.drop`` deletes the file and forgets the key: after a confirmation, after one that
   failed (``flash_error`` then ``drop``), and ``main.import_cancel`` for the cancel button.

Bulk enrolment keeps no file: its selection (and a digest of the preview) travels in the confirm
form, so it uses steps 1, 2 and the template's ``confirm_import`` macro only. Every preview page
confirms through that one macro (``templates/_macros/import_preview.html``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Generic, TypeVar

from celery import shared_task
from flask import abort, current_app, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect
from werkzeug.datastructures import FileStorage

from lms.storage import get_storage

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


# --- uploads waiting for confirmation -----------------------------------------------------------
#
# A file whose preview is ready is kept under a random key that only the uploader's session knows,
# until the import is confirmed. It is deleted as soon as it can no longer be confirmed: when the
# import is confirmed or its confirmation fails, when it is cancelled, and when the same session
# uploads another file for the same import. A file nobody came back for is deleted once older than
# PENDING_MAX_AGE (longer than a session lives) by the next upload anywhere, or by
# ``flask imports sweep`` from cron.

PENDING_FOLDERS = ("imports", "question-imports", "siasn-results")
PENDING_MAX_AGE = timedelta(days=1)
PENDING_KEY = re.compile(r"^(imports|question-imports|siasn-results)/[0-9a-f]{32}\.(csv|xlsx|txt)$")


def store_pending(folder: str, suffix: str, data: bytes, *, replacing: object = None) -> str:
    """Keep a ready upload and return its key; ``replacing`` (the session's previous key for this
    import, or its dict with a ``key``) is deleted first, and stale uploads are swept."""
    discard_pending(replacing)
    sweep_pending()
    storage = get_storage()
    key = storage.new_key(folder, suffix)
    storage.save(key, data)
    return key


def discard_pending(entry: object) -> None:
    """Delete a pending upload given its key (or a session dict holding it); anything else is
    ignored, so a forged value can never name another file."""
    key = entry.get("key") if isinstance(entry, dict) else entry
    if isinstance(key, str) and PENDING_KEY.match(key):
        get_storage().delete(key)


def forget_pending(key: str) -> bool:
    """Cancel: drop every session entry that holds ``key`` and delete the file. False when the
    session holds no such key (nothing is deleted then)."""
    found = [
        name
        for name, value in session.items()
        if value == key or (isinstance(value, dict) and value.get("key") == key)
    ]
    if not found or not PENDING_KEY.match(key):
        return False
    for name in found:
        session.pop(name, None)
    discard_pending(key)
    return True


def sweep_pending(max_age: timedelta = PENDING_MAX_AGE, *, now: float | None = None) -> int:
    """Delete pending uploads older than ``max_age``; return how many were deleted."""
    storage = get_storage()
    cutoff = (now if now is not None else time.time()) - max_age.total_seconds()
    deleted = 0
    for folder in PENDING_FOLDERS:
        directory = storage.root / folder
        if not directory.is_dir():
            continue
        for path in directory.iterdir():
            relative = f"{folder}/{path.name}"
            if not (PENDING_KEY.match(relative) or path.name.endswith(".part")):
                continue
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
                    deleted += 1
            except OSError:
                continue
    return deleted


@shared_task(name="imports.sweep")
def sweep_pending_task() -> int:
    """``sweep_pending`` for Celery beat (hourly); ``flask imports sweep`` does it from cron."""
    return sweep_pending()


# --- the flow ------------------------------------------------------------------------------------

#: Flashed when a confirm form's key is not (or no longer) the session's kept upload.
STALE = _l("Pratinjau impor sudah tidak berlaku. Unggah ulang berkasnya.")


def read_upload(upload: FileStorage) -> bytes:
    """The uploaded file's bytes; 413 when it is larger than ``IMPORT_MAX_BYTES``."""
    limit = current_app.config["IMPORT_MAX_BYTES"]
    data = upload.read(limit + 1)
    if len(data) > limit:
        abort(413)
    return data


def table_suffix(filename: str | None) -> str:
    """The suffix a kept table is stored under: ``.xlsx`` for a workbook, else ``.csv``."""
    return ".xlsx" if (filename or "").lower().endswith(".xlsx") else ".csv"


def preview_status(ok: bool) -> int:
    """The status of a preview page: 200 when it can be confirmed, 422 when it cannot."""
    return 200 if ok else 422


@dataclass(frozen=True)
class PendingImport:
    """One importer's upload waiting for confirmation, kept in storage under ``folder`` and
    remembered in the session under ``name`` as a dict: the key plus what the importer needs back
    at confirm time (the file name, the course, the chosen date...)."""

    name: str
    folder: str = "imports"

    def keep(self, data: bytes, suffix: str, **info: Any) -> str:
        """Keep a confirmable upload (deleting this session's previous one); return its key."""
        key = store_pending(self.folder, suffix, data, replacing=session.get(self.name))
        session[self.name] = {"key": key, **info}
        return key

    def take(self, key: str | None, **expected: Any) -> tuple[dict[str, Any], bytes] | None:
        """The session's entry and the kept bytes for ``key``, or None when the key is not this
        session's, an ``expected`` value differs (another course's preview), or the file is
        gone (swept, or confirmed in another tab)."""
        entry = session.get(self.name)
        if not key or not isinstance(entry, dict) or entry.get("key") != key:
            return None
        if not PENDING_KEY.match(key) or not key.startswith(f"{self.folder}/"):
            return None
        if any(entry.get(name) != value for name, value in expected.items()):
            return None
        storage = get_storage()
        if not storage.exists(key):
            return None
        return entry, storage.read(key)

    def drop(self) -> None:
        """Delete the kept upload and forget it: it has been applied or can no longer be."""
        discard_pending(session.pop(self.name, None))


def _cli() -> Any:
    import click
    from flask.cli import AppGroup

    group = AppGroup("imports", help="Uploads waiting for an import to be confirmed.")

    @group.command("sweep")
    @click.option("--hours", default=24, show_default=True, help="Delete uploads older than this.")
    def sweep(hours: int) -> None:
        """Delete uploads nobody confirmed or cancelled (run from cron or Celery beat)."""
        click.echo(f"{sweep_pending(timedelta(hours=hours))} upload(s) deleted")

    return group


imports_cli = _cli()

"""File storage for uploads and generated files.

A directory by default (``LMS_FILES_DIR``); keys are relative POSIX paths that can never
escape that directory. Shared storage for several app servers is a mounted directory.

A write killed half-way (``kill -9`` of a Celery worker rendering a certificate, a host lost)
leaves its hidden temporary file behind; ``sweep_parts`` deletes those once older than
``PART_MAX_AGE``: hourly from Celery beat (``storage.sweep_parts``), or ``flask storage sweep``
from cron without it.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from celery import shared_task
from flask import current_app

#: The temporary names files are written under before ``os.replace`` moves them into place:
#: ``LocalStorage.save``'s hidden ``.<name>.<random>.part``, and a key's name (``new_key``) plus
#: ``.part`` (report exports, lms/reports/tasks.py). Only these: an uploaded ``bab-1.part`` or a
#: file of that name inside a module package is never a temporary file.
PART_NAME = re.compile(r"^(\..+\.[0-9a-f]{32}|[0-9a-f]{32}\.[a-z0-9]+)\.part$")

#: A temporary file unchanged for this long belongs to a dead writer. ``save`` hands the file its
#: bytes from memory or a local file (each chunk renews the modification time), so a live one is
#: seconds old; a report export writes its file for at most its hard time limit (2,000 s). An
#: hour keeps a margin over both.
PART_MAX_AGE = timedelta(hours=1)


class StorageError(ValueError):
    pass


class LocalStorage:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        pure = PurePosixPath(key)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise StorageError(f"invalid storage key: {key!r}")
        path = (self.root / pure).resolve()
        if self.root not in path.parents:
            raise StorageError(f"invalid storage key: {key!r}")
        return path

    def new_key(self, folder: str, suffix: str = "") -> str:
        return f"{folder}/{uuid.uuid4().hex}{suffix}"

    def save(self, key: str, data: bytes | BinaryIO) -> str:
        """Write atomically and return the SHA-256 of what was written.

        The bytes go to a temporary file of their own in the same folder (a unique name: two
        writers of one key, such as two workers rendering the same certificate, never share it)
        and ``os.replace`` puts it in place in one step: a reader sees the old file or a whole
        new one, and of two writers the last one wins whole. A failed write removes its
        temporary file; one killed mid-write leaves a hidden ``.<name>.<random>.part`` behind.
        """
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        digest = hashlib.sha256()
        try:
            # O_EXCL: a file of this name is never reused; the mode follows the umask as open().
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(fd, "wb") as fh:
                if isinstance(data, bytes):
                    fh.write(data)
                    digest.update(data)
                else:
                    for chunk in iter(lambda: data.read(64 * 1024), b""):
                        fh.write(chunk)
                        digest.update(chunk)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return digest.hexdigest()

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def path(self, key: str) -> Path:
        return self._path(key)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def sweep_parts(self, max_age: timedelta = PART_MAX_AGE, *, now: float | None = None) -> int:
        """Delete the temporary files of writes that died (``PART_NAME``, in any folder) whose
        last change is older than ``max_age``; return how many. Nothing else is touched: not a
        file of another name, not a fresh temporary file (a write in progress), not what a
        symbolic link points to. A root that does not exist (yet) has nothing to sweep."""
        cutoff = (time.time() if now is None else now) - max_age.total_seconds()
        deleted = 0
        for folder, _dirs, names in os.walk(self.root):  # does not follow symbolic links
            for name in names:
                if not PART_NAME.match(name):
                    continue
                path = Path(folder, name)
                try:
                    info = path.lstat()
                    if path.is_symlink() or not path.is_file() or info.st_mtime >= cutoff:
                        continue
                    path.unlink()
                except FileNotFoundError:  # its write finished, or another sweep was first
                    continue
                deleted += 1
        return deleted


def get_storage() -> LocalStorage:
    return LocalStorage(current_app.config["FILES_DIR"])


@shared_task(name="storage.sweep_parts")
def sweep_parts_task() -> int:
    """``sweep_parts`` for Celery beat (hourly); ``flask storage sweep`` does it from cron."""
    deleted = get_storage().sweep_parts()
    if deleted:
        current_app.logger.info(
            "storage sweep: %d temporary file(s) of dead writes deleted", deleted
        )
    return deleted

"""File storage for uploads and generated files.

A directory by default (``LMS_FILES_DIR``); keys are relative POSIX paths that can never
escape that directory. Shared storage for several app servers is a mounted directory.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from flask import current_app


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


def get_storage() -> LocalStorage:
    return LocalStorage(current_app.config["FILES_DIR"])

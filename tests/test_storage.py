"""``lms.storage.LocalStorage.save``: atomic, and safe with two writers of the same key (two
workers rendering one certificate PDF): each writes a temporary file of its own in the same
folder and moves it into place with ``os.replace``. Pure: no app, no database."""

from __future__ import annotations

import hashlib
import io
import threading
from pathlib import Path

import pytest

from lms.storage import LocalStorage, StorageError

KEY = "certificates/2026/abc.pdf"


class _Paused(io.RawIOBase):
    """A stream that hands out its first chunk, then waits until ``go`` is set: a writer held
    in the middle of its file."""

    def __init__(self, data: bytes, started: threading.Event, go: threading.Event) -> None:
        self.chunks = [data[: len(data) // 2], data[len(data) // 2 :]]
        self.started, self.go = started, go

    def read(self, _size: int = -1) -> bytes:
        if not self.chunks:
            return b""
        if len(self.chunks) == 1:
            self.started.set()
            assert self.go.wait(10)
        return self.chunks.pop(0)


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_save_returns_the_sha256_and_leaves_only_the_file(tmp_path) -> None:
    storage = LocalStorage(tmp_path)
    assert storage.save(KEY, b"%PDF-1 satu") == hashlib.sha256(b"%PDF-1 satu").hexdigest()
    assert storage.save(KEY, io.BytesIO(b"%PDF-1 dua")) == hashlib.sha256(b"%PDF-1 dua").hexdigest()
    assert storage.read(KEY) == b"%PDF-1 dua"
    assert _files(tmp_path) == [KEY]


def test_two_writers_of_one_key_do_not_share_a_temporary_file(tmp_path) -> None:
    """Writer A is held half-way through its file while writer B saves the same key from start
    to end; then A finishes. With one shared ``<name>.part`` B would truncate A's file and move
    it into place, and A's rest would land in the published file (and A's replace fail)."""
    storage = LocalStorage(tmp_path)
    first, second = b"A" * 300_000, b"B" * 200_000
    started, go = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def writer_a() -> None:
        try:
            results["a"] = storage.save(KEY, _Paused(first, started, go))
        except BaseException as error:  # reported below, not lost in the thread
            results["a"] = error

    thread = threading.Thread(target=writer_a)
    thread.start()
    assert started.wait(10)
    assert storage.save(KEY, second) == hashlib.sha256(second).hexdigest()
    assert storage.read(KEY) == second  # B's whole file, A's half not in it
    go.set()
    thread.join(10)
    assert results["a"] == hashlib.sha256(first).hexdigest()
    assert storage.read(KEY) == first  # the last writer wins, whole
    assert _files(tmp_path) == [KEY]  # no temporary file left behind


def test_many_concurrent_writers_leave_one_whole_file(tmp_path) -> None:
    storage = LocalStorage(tmp_path)
    bodies = [bytes([65 + i]) * (50_000 + i * 997) for i in range(8)]
    barrier = threading.Barrier(len(bodies))
    errors: list[BaseException] = []

    def write(body: bytes) -> None:
        barrier.wait(10)
        try:
            for _ in range(5):
                storage.save(KEY, body)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert storage.read(KEY) in bodies
    assert _files(tmp_path) == [KEY]


def test_a_failed_write_removes_its_temporary_file_and_keeps_the_old_one(tmp_path) -> None:
    storage = LocalStorage(tmp_path)
    storage.save(KEY, b"lama")

    class Broken(io.RawIOBase):
        def read(self, _size: int = -1) -> bytes:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        storage.save(KEY, Broken())
    assert storage.read(KEY) == b"lama"
    assert _files(tmp_path) == [KEY]


@pytest.mark.parametrize("key", ["../luar.pdf", "/etc/passwd", "", "a/../../b"])
def test_keys_cannot_leave_the_root(tmp_path, key: str) -> None:
    with pytest.raises(StorageError):
        LocalStorage(tmp_path).save(key, b"x")

"""``lms.storage.LocalStorage.save``: atomic, and safe with two writers of the same key (two
workers rendering one certificate PDF): each writes a temporary file of its own in the same
folder and moves it into place with ``os.replace``. And ``sweep_parts``, which deletes the
temporary files of writes that died (a worker killed mid-render) once an hour old, and nothing
else. Pure: no app, no database."""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time
from pathlib import Path

import pytest

from lms.storage import PART_NAME, LocalStorage, StorageError

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


# --- the sweep of temporary files left by writes that died (issue 20) --------------------------

HOUR = 3600.0
PART = ".abc.pdf." + "0" * 32 + ".part"  # what ``save`` writes before its ``os.replace``


def _aged(path: Path, seconds: float, now: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1 sebagian")
    os.utime(path, (now - seconds, now - seconds))
    return path


def test_sweep_deletes_old_temporary_files_only(tmp_path) -> None:
    """An old ``.part`` of ``save`` (and of a report export) goes, in any folder however deep; a
    fresh one (a write in progress) stays, and so does every other file, old or not: a finished
    file, an upload named ``*.part``, a package's own files."""
    now = time.time()
    old = [
        _aged(tmp_path / "certificates/2026" / PART, 2 * HOUR, now),
        _aged(tmp_path / "a/b/c/d" / (".x.png." + "f" * 32 + ".part"), 1.1 * HOUR, now),
        _aged(tmp_path / "reports/7" / ("e" * 32 + ".xlsx.part"), 3 * HOUR, now),
        _aged(tmp_path / PART, 2 * HOUR, now),  # at the root
    ]
    kept = [
        _aged(tmp_path / "certificates/2026" / ("." + "1" * 32 + ".pdf.x.part"), 5 * HOUR, now),
        _aged(tmp_path / "certificates/2026" / (".abc.pdf." + "2" * 32 + ".part"), 0.9 * HOUR, now),
        _aged(tmp_path / "certificates/2026/abc.pdf", 5 * HOUR, now),
        _aged(tmp_path / "course-files/bab-1.part", 5 * HOUR, now),  # an upload, not ours
        _aged(tmp_path / "course-files" / ("a" * 32 + ".part"), 5 * HOUR, now),
        _aged(tmp_path / "packages/1/1/modul.part", 5 * HOUR, now),
        _aged(tmp_path / "packages/1/1/.hidden.part", 5 * HOUR, now),
        _aged(tmp_path / "reports/7" / ("e" * 32 + ".xlsx"), 5 * HOUR, now),
    ]
    assert LocalStorage(tmp_path).sweep_parts(now=now) == len(old)
    assert [p for p in old if p.exists()] == []
    assert [p for p in kept if not p.exists()] == []


def test_sweep_keeps_a_write_in_progress(tmp_path) -> None:
    """A writer held half-way through its file: its ``.part`` is fresh, so the sweep leaves it
    and the write finishes whole."""
    storage = LocalStorage(tmp_path)
    data = b"C" * 300_000
    started, go = threading.Event(), threading.Event()
    results: dict[str, object] = {}
    thread = threading.Thread(
        target=lambda: results.update(a=storage.save(KEY, _Paused(data, started, go)))
    )
    thread.start()
    assert started.wait(10)
    assert any(PART_NAME.match(p.name) for p in (tmp_path / KEY).parent.iterdir())
    assert storage.sweep_parts() == 0
    go.set()
    thread.join(10)
    assert results["a"] == hashlib.sha256(data).hexdigest()
    assert _files(tmp_path) == [KEY]


def test_sweep_of_a_missing_folder_deletes_nothing(tmp_path) -> None:
    assert LocalStorage(tmp_path / "belum-ada").sweep_parts() == 0


def test_sweep_does_not_follow_symbolic_links(tmp_path) -> None:
    now = time.time()
    outside = _aged(tmp_path / "outside" / PART, 2 * HOUR, now)
    root = tmp_path / "files"
    root.mkdir()
    (root / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    (root / (".l.pdf." + "3" * 32 + ".part")).symlink_to(outside)
    assert LocalStorage(root).sweep_parts(now=now) == 0
    assert outside.exists()

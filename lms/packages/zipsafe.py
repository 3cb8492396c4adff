"""Safe extraction of an uploaded zip: every limit counted while extracting, never trusted.

The headers of a zip are the uploader's claims. Sizes, ratios and counts are measured on what is
actually inflated: each member is streamed through a counting loop that stops the moment the total
or the member's ratio goes over its limit, whatever its header said (a header that under-states
a size makes ``zipfile`` stop early and fail its CRC check, which is refused too). Names are
checked before anything is written: no absolute path, drive letter, ``..``, backslash, control
character, symlink, device or FIFO entry, no case-insensitive duplicate, no nested archive (by
extension or by its first bytes), only allow-listed file types.

Everything found is reported at once (``Problem`` per entry); the caller extracts into a fresh
temporary folder and moves it into place only when the list is empty (lms.packages.services).
Pure: no app, no database; messages are Flask-Babel msgids, translated when an app is present.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from flask_babel import gettext as _

CHUNK = 64 * 1024
#: Below this many inflated bytes a member's ratio is not judged (a small text file of spaces
#: compresses very well and harms no one).
RATIO_SLACK = 1024 * 1024

#: File types a web module needs: pages, scripts, styles, media, documents, data, fonts.
DEFAULT_EXTENSIONS = frozenset(
    [
        "html",
        "htm",
        "xhtml",
        "xml",
        "xsd",
        "dtd",
        "js",
        "mjs",
        "json",
        "css",
        "txt",
        "md",
        "csv",
        "yaml",
        "yml",
        "gift",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "svg",
        "webp",
        "bmp",
        "ico",
        "mp3",
        "mp4",
        "m4a",
        "m4v",
        "webm",
        "ogg",
        "ogv",
        "oga",
        "wav",
        "vtt",
        "srt",
        "pdf",
        "woff",
        "woff2",
        "ttf",
        "otf",
        "eot",
        "swf",
    ]
)
#: Archives inside the archive are never unpacked, and refused rather than stored.
ARCHIVE_EXTENSIONS = frozenset(
    [
        "zip",
        "jar",
        "war",
        "ear",
        "apk",
        "rar",
        "7z",
        "tar",
        "gz",
        "tgz",
        "bz2",
        "xz",
        "zst",
        "cab",
        "iso",
    ]
)
ARCHIVE_MAGIC = (b"PK\x03\x04", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"BZh", b"\xfd7zXZ")
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
UNIX = 3  # ZipInfo.create_system of an archive made on Unix: the mode is in external_attr


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 500 * 1024 * 1024  # all members, inflated
    max_ratio: int = 100  # inflated / compressed, per member, beyond RATIO_SLACK
    max_files: int = 10_000
    max_path: int = 240  # characters of a member's name
    max_depth: int = 20  # folders in a member's name
    extensions: frozenset[str] = DEFAULT_EXTENSIONS


@dataclass(frozen=True)
class Problem:
    entry: str  # the member's name, "" for the archive as a whole
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"entry": self.entry, "message": self.message}

    def __str__(self) -> str:
        return f"{self.entry}: {self.message}" if self.entry else self.message


@dataclass
class Extracted:
    files: list[str] = field(default_factory=list)  # POSIX names of regular files written
    total_bytes: int = 0
    problems: list[Problem] = field(default_factory=list)


class _Stop(Exception):
    """A limit of the whole archive was reached: extraction ends, the problem is recorded."""


def _name_problems(info: zipfile.ZipInfo, limits: Limits) -> list[str]:
    name = info.filename
    found: list[str] = []
    if _CONTROL.search(name):
        found.append(_("nama berisi karakter kendali"))
    if "\\" in name:
        found.append(_("nama memakai garis miring terbalik (\\)"))
    if name.startswith("/"):
        found.append(_("jalur absolut tidak diizinkan"))
    if _DRIVE.match(name):
        found.append(_("huruf drive (mis. C:) tidak diizinkan"))
    parts = re.split(r"[/\\]", name.rstrip("/"))
    if ".." in parts:
        found.append(_("'..' keluar dari folder paket"))
    if len(name) > limits.max_path:
        found.append(_("nama lebih dari %(n)d karakter", n=limits.max_path))
    if len(parts) - 1 > limits.max_depth:
        found.append(_("lebih dari %(n)d folder bertingkat", n=limits.max_depth))
    mode = info.external_attr >> 16 if info.create_system == UNIX else 0
    kind = stat.S_IFMT(mode)
    if stat.S_ISLNK(mode):
        found.append(_("tautan simbolik (symlink) tidak diizinkan"))
    elif kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        found.append(_("entri perangkat, FIFO atau soket tidak diizinkan"))
    if info.flag_bits & 0x1:
        found.append(_("entri terenkripsi tidak didukung"))
    if found or info.is_dir():
        return found
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    if suffix in ARCHIVE_EXTENSIONS:
        found.append(_("arsip di dalam arsip tidak diekstrak; keluarkan isinya ke paket"))
    elif suffix not in limits.extensions:
        found.append(_("jenis berkas .%(ext)s tidak diizinkan", ext=suffix or "?"))
    return found


def check_names(archive: zipfile.ZipFile, limits: Limits) -> list[Problem]:
    """Problems of the names and entry types, without reading any content."""
    infos = archive.infolist()
    problems: list[Problem] = []
    if len(infos) > limits.max_files:
        problems.append(
            Problem(
                "",
                _(
                    "Paket berisi %(count)d entri, melebihi batas %(n)d.",
                    count=len(infos),
                    n=limits.max_files,
                ),
            )
        )
        return problems  # naming 20,000 entries helps no one
    seen: dict[str, str] = {}
    for info in infos:
        for message in _name_problems(info, limits):
            problems.append(Problem(info.filename, message))
        folded = info.filename.rstrip("/").casefold()
        if folded in seen:
            problems.append(
                Problem(info.filename, _("nama ganda (juga %(other)s)", other=seen[folded]))
            )
        else:
            seen[folded] = info.filename
    return problems


def _copy_counted(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    target: Path,
    limits: Limits,
    result: Extracted,
) -> Problem | None:
    """Inflate one member into ``target``, counting every byte; a problem or None."""
    written = 0
    allowance = max(limits.max_ratio * max(info.compress_size, 1), RATIO_SLACK)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(target, flags, 0o644)
    with archive.open(info) as source, os.fdopen(fd, "wb") as out:
        first = True
        while chunk := source.read(CHUNK):
            if first and chunk.startswith(ARCHIVE_MAGIC) and not _is_media(info.filename):
                return Problem(info.filename, _("berisi arsip (zip/gzip/rar) di dalam arsip"))
            first = False
            written += len(chunk)
            result.total_bytes += len(chunk)
            if result.total_bytes > limits.max_bytes:
                raise _Stop(
                    _(
                        "Isi paket melebihi %(mb)d MiB setelah diekstrak (berhenti di %(entry)s).",
                        mb=limits.max_bytes // (1024 * 1024),
                        entry=info.filename,
                    )
                )
            if written > allowance:
                return Problem(
                    info.filename,
                    _(
                        "rasio kompresi melebihi 1:%(n)d (bom zip?)",
                        n=limits.max_ratio,
                    ),
                )
            out.write(chunk)
    return None


def _is_media(name: str) -> bool:
    """Office-style and font containers start like a zip but are not archives we unpack."""
    return PurePosixPath(name).suffix.lower() in {".woff", ".woff2", ".swf"}


def extract(source: BinaryIO | str | os.PathLike[str], dest: Path, limits: Limits) -> Extracted:
    """Extract ``source`` into the empty folder ``dest``; ``problems`` lists every refusal.

    When ``problems`` is not empty, ``dest`` may hold a partial extraction: the caller deletes it.
    """
    result = Extracted()
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        result.problems.append(Problem("", _("Berkas bukan arsip ZIP yang dapat dibaca.")))
        return result
    with archive:
        result.problems.extend(check_names(archive, limits))
        if any(not p.entry for p in result.problems):
            return result  # too many entries: nothing is extracted
        unsafe = {p.entry for p in result.problems}
        root = dest.resolve()
        try:
            for info in archive.infolist():
                if info.filename in unsafe:
                    continue  # never written; the other entries are still checked
                target = root.joinpath(*PurePosixPath(info.filename).parts)
                if root != target and root not in target.parents:
                    result.problems.append(Problem(info.filename, _("keluar dari folder paket")))
                    continue
                try:
                    if info.is_dir():
                        target.mkdir(parents=True, exist_ok=True)
                        continue
                    target.parent.mkdir(parents=True, exist_ok=True)
                    problem = _copy_counted(archive, info, target, limits, result)
                except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                    problem = Problem(
                        info.filename,
                        _(
                            "isi tidak cocok dengan header arsip (ukuran atau CRC): %(why)s",
                            why=str(exc)[:120],
                        ),
                    )
                except NotImplementedError:
                    problem = Problem(info.filename, _("metode kompresi tidak didukung"))
                except OSError:
                    problem = Problem(info.filename, _("tidak dapat ditulis (bentrok nama?)"))
                if problem is not None:
                    result.problems.append(problem)
                else:
                    result.files.append(info.filename)
        except _Stop as stop:
            result.problems.append(Problem("", str(stop)))
    return result

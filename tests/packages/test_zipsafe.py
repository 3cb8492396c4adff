"""Safe extraction without an app: each attack is refused, naming its entry, nothing written."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from lms.packages.zipsafe import Limits, extract
from tests.packages import zips


def _run(data: bytes, tmp_path: Path, limits: Limits | None = None):
    dest = tmp_path / "out"
    dest.mkdir()
    return extract(io.BytesIO(data), dest, limits or Limits()), dest


def _written(dest: Path) -> list[Path]:
    return [p for p in dest.rglob("*") if p.is_file() or p.is_symlink()]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("../x.html", "'..'"),
        ("/abs.html", "absolut"),
        ("C:\\x.html", "drive"),
        ("..\\x.html", "garis miring terbalik"),
        ("a/../../x.html", "'..'"),
    ],
)
def test_zip_slip_names_are_refused_and_never_written(tmp_path, name, words) -> None:
    result, dest = _run(zips.scorm({name: b"owned"}), tmp_path)
    assert {p.entry for p in result.problems} == {name}
    assert any(words in p.message for p in result.problems)
    assert not any(p.read_bytes() == b"owned" for p in _written(dest))
    assert not (tmp_path / "x.html").exists()


def test_symlink_entry_is_refused(tmp_path) -> None:
    result, dest = _run(zips.with_symlink(), tmp_path)
    assert [(p.entry, "symlink" in p.message) for p in result.problems] == [
        ("shared/passwd.html", True)
    ]
    assert not (dest / "shared" / "passwd.html").exists()
    assert not any(p.is_symlink() for p in _written(dest))


def test_a_1_to_1000_bomb_stops_at_the_ratio_limit(tmp_path) -> None:
    data = zips.bomb(20 * 1024 * 1024)
    assert 20 * 1024 * 1024 / len(data) > 900  # about 1:1000
    result, _dest = _run(data, tmp_path)
    assert [p.entry for p in result.problems] == ["shared/zeros.txt"]
    assert "rasio kompresi" in result.problems[0].message
    assert result.total_bytes < 3 * 1024 * 1024  # stopped early, not inflated whole


def test_total_size_is_counted_not_read_from_headers(tmp_path) -> None:
    data = zips.scorm({"a.txt": b"x" * 3000, "b.txt": b"y" * 3000})
    result, _dest = _run(data, tmp_path, Limits(max_bytes=4000))
    assert len(result.problems) == 1 and "melebihi" in result.problems[0].message


def test_headers_understating_sizes_are_refused(tmp_path) -> None:
    data = zips.understated()
    listed = {i.filename: i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    assert listed["big.txt"] == 100  # the headers lie
    result, dest = _run(data, tmp_path)
    assert [p.entry for p in result.problems] == ["big.txt"]
    assert "header" in result.problems[0].message


def test_too_many_files_refused_without_extracting(tmp_path) -> None:
    result, dest = _run(zips.many_files(20_000), tmp_path)
    assert len(result.problems) == 1
    assert "20002 entri" in result.problems[0].message
    assert _written(dest) == []


def test_nested_archives_refused_by_extension_and_by_content(tmp_path) -> None:
    inner = zips.scorm()
    result, _dest = _run(zips.scorm({"lib/inner.zip": inner, "data/readme.txt": inner}), tmp_path)
    assert sorted(p.entry for p in result.problems) == ["data/readme.txt", "lib/inner.zip"]


def test_file_types_outside_the_allow_list(tmp_path) -> None:
    result, _dest = _run(zips.scorm({"run.exe": b"MZ", "x.php": b"<?php"}), tmp_path)
    assert sorted(p.entry for p in result.problems) == ["run.exe", "x.php"]
    assert all("tidak diizinkan" in p.message for p in result.problems)


def test_path_length_and_depth_limits(tmp_path) -> None:
    deep = "/".join(["d"] * 25) + "/x.html"
    long = "a" * 250 + ".html"
    result, _dest = _run(zips.scorm({deep: b"", long: b""}), tmp_path)
    assert sorted(p.entry for p in result.problems) == sorted([deep, long])


def test_case_insensitive_duplicates_refused(tmp_path) -> None:
    result, _dest = _run(zips.scorm({"Index.HTML": b"x"}), tmp_path)
    assert [p.entry for p in result.problems] == ["Index.HTML"]


def test_every_problem_is_listed_at_once(tmp_path) -> None:
    result, _dest = _run(zips.scorm({"../a.html": b"", "/b.html": b"", "c.exe": b""}), tmp_path)
    assert len(result.problems) == 3


def test_not_a_zip(tmp_path) -> None:
    result, _dest = _run(b"this is no zip", tmp_path)
    assert "bukan arsip ZIP" in result.problems[0].message


def test_a_good_package_is_extracted(tmp_path) -> None:
    result, dest = _run(zips.scorm({"css/a.css": b"p{}"}), tmp_path)
    assert result.problems == []
    assert sorted(result.files) == ["css/a.css", "imsmanifest.xml", "index.html"]
    assert (dest / "css" / "a.css").read_bytes() == b"p{}"

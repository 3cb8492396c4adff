"""import_package: the fixtures behave as their README says; every refusal leaves nothing behind."""

from __future__ import annotations

import io
import io as _io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import BASE_DIR
from lms.auth.models import PartnerInstitution, User
from lms.extensions import db as _db
from lms.packages.models import Package, PackageSco, PackageVersion
from lms.packages.services import PackageRefused, import_package
from tests.packages import zips


@pytest.fixture
def files_dir(app, tmp_path):
    before = app.config["FILES_DIR"]
    app.config["FILES_DIR"] = str(tmp_path / "files")
    (tmp_path / "files").mkdir()
    yield tmp_path / "files"
    app.config["FILES_DIR"] = before


@pytest.fixture
def mitra(db, world, files_dir):
    user = db.session.get(User, world.users["mitra"].id)
    return user, db.session.get(PartnerInstitution, user.partner_id)


def _fixture(name: str) -> Path:
    path = zips.FIXTURES / name
    if not path.exists():
        pytest.skip(f"shared fixture {name} is absent ({zips.FIXTURES})")
    return path


def _refused(source, mitra, files_dir) -> list:
    user, partner = mitra
    with pytest.raises(PackageRefused) as caught:
        import_package(source, partner, user)
    _db.session.rollback()
    left = [p for p in files_dir.rglob("*")]
    assert left == [], f"left behind: {left}"
    for model in (Package, PackageVersion, PackageSco):
        assert _db.session.scalar(select(func.count()).select_from(model)) == 0
    return caught.value.problems


def test_single_sco_golf_package(mitra, files_dir) -> None:
    user, partner = mitra
    version = import_package(_fixture("singlescobasic.zip"), partner, user)
    _db.session.commit()
    assert (version.package.kind, version.version, version.status) == ("scorm12", 1, "in_review")
    assert [(s.identifier, s.href, s.scorm_type) for s in version.scos] == [
        ("item_1", "shared/launchpage.html", "sco")
    ]
    assert (files_dir / version.storage_key / "shared" / "launchpage.html").is_file()
    assert version.file_count == 46 and version.uploaded_by_id == user.id
    assert not list((files_dir / "packages").glob(".incoming-*"))


def test_multi_sco_package_keeps_parameters_and_aggregations(mitra) -> None:
    user, partner = mitra
    version = import_package(_fixture("RuntimeMinimumCalls_SCORM12-mini.zip"), partner, user)
    assert len(version.scos) == 9
    hrefs = [s.href for s in version.scos]
    assert "shared/assessmenttemplate.html?questions=Playing" in hrefs
    assert all(s.depth == 1 for s in version.scos)
    assert len(version.manifest["items"]) == 2  # the two aggregations, SCOs beneath


def test_reupload_makes_a_new_version(mitra) -> None:
    user, partner = mitra
    first = import_package(io.BytesIO(zips.scorm()), partner, user)
    second = import_package(io.BytesIO(zips.scorm()), partner, user)
    assert first.package_id == second.package_id and second.version == 2
    assert second.storage_key == f"packages/{first.package_id}/2"


@pytest.mark.parametrize(
    ("fixture", "words"),
    [("badscorm.zip", "akar zip"), ("invalid.zip", "Tidak ada imsmanifest.xml")],
)
def test_moodle_fixtures_refused(mitra, files_dir, fixture, words) -> None:
    problems = _refused(_fixture(fixture), mitra, files_dir)
    assert words in problems[0].message
    if fixture == "badscorm.zip":
        assert problems[0].entry == "badscorm/imsmanifest.xml"


@pytest.mark.parametrize(
    ("data", "entry", "words"),
    [
        (zips.scorm({"../x.html": b""}), "../x.html", "'..'"),
        (zips.scorm({"/abs.html": b""}), "/abs.html", "absolut"),
        (zips.scorm({"C:\\x.html": b""}), "C:\\x.html", "drive"),
        (zips.scorm({"..\\x.html": b""}), "..\\x.html", "garis miring terbalik"),
        (zips.bomb(), "shared/zeros.txt", "rasio kompresi"),
        (zips.understated(), "big.txt", "header"),
        (zips.with_symlink(), "shared/passwd.html", "symlink"),
        (zips.many_files(20_000), "", "20002 entri"),
        (zips.scorm({"lib/inner.zip": zips.scorm()}), "lib/inner.zip", "arsip di dalam arsip"),
        (zips.build({"mod/imsmanifest.xml": zips.MANIFEST_12}), "mod/imsmanifest.xml", "akar"),
        (zips.build({"index.html": b""}), "", "Tidak ada imsmanifest.xml"),
        (zips.build({"course.crs": b"", "a.au": b""}), "", "AICC"),
        (zips.scorm(manifest=zips.ENTITY_EXPANSION), "imsmanifest.xml", "entitas"),
        (zips.scorm(manifest=zips.EXTERNAL_ENTITY), "imsmanifest.xml", "entitas"),
    ],
    ids=[
        "slip-dotdot",
        "slip-absolute",
        "slip-drive",
        "slip-backslash",
        "bomb-1-1000",
        "headers-understate",
        "symlink",
        "20000-files",
        "nested-zip",
        "manifest-in-subfolder",
        "no-manifest",
        "aicc-only",
        "entity-expansion",
        "external-entity",
    ],
)
def test_attacks_refused_with_nothing_left(mitra, files_dir, data, entry, words) -> None:
    problems = _refused(io.BytesIO(data), mitra, files_dir)
    assert any(p.entry == entry and words in p.message for p in problems), problems


def test_missing_files_and_launch_listed_together(mitra, files_dir) -> None:
    manifest = zips.MANIFEST_12.replace(b'<file href="index.html"/>', b'<file href="gone.js"/>')
    data = zips.build(
        {"imsmanifest.xml": manifest.replace(b'href="index.html"', b'href="no.html"')}
    )
    problems = _refused(io.BytesIO(data), mitra, files_dir)
    messages = " | ".join(p.message for p in problems)
    assert "gone.js" in messages and "no.html" in messages


def test_missing_default_organisation_falls_back_to_the_first(mitra) -> None:
    user, partner = mitra
    manifest = zips.MANIFEST_12.replace(b'default="ORG"', b'default="NOPE"')
    manifest = manifest.replace(
        b'<item identifier="I1"', b'<item isvisible="false" identifier="I1"'
    )
    manifest = manifest.replace(b'identifierref="R1"', b'identifierref="R1" parameters="?a=1"')
    version = import_package(io.BytesIO(zips.scorm(manifest=manifest)), partner, user)
    assert version.manifest["organization"] == "ORG"
    assert "NOPE" in version.report["warnings"][0]
    assert [(s.href, s.is_visible) for s in version.scos] == [("index.html?a=1", False)]


def _course_zip(folder: Path, **changes: bytes) -> bytes:
    out = _io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                archive.writestr(name, changes.get(name, path.read_bytes()))
    return out.getvalue()


def test_akademi_course_package(mitra) -> None:
    user, partner = mitra
    data = _course_zip(BASE_DIR / "content" / "courses" / "KOM-101")
    version = import_package(io.BytesIO(data), partner, user)
    assert version.package.kind == "akademi" and version.package.code == "KOM-101"
    assert version.manifest["modules"] and version.manifest["posttest"] is True
    assert version.scos == []


def test_akademi_package_refused_as_the_content_loader_would(mitra, files_dir) -> None:
    folder = BASE_DIR / "content" / "courses" / "KOM-101"
    broken = (folder / "course.yaml").read_bytes().replace(b"jp:", b"jp_typo:")
    problems = _refused(
        io.BytesIO(_course_zip(folder, **{"course.yaml": broken})), mitra, files_dir
    )
    assert problems[0].entry == "course.yaml" and "jp" in problems[0].message


def test_cli_import_json(app, mitra, files_dir, tmp_path) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(zips.scorm({"../x.html": b""}))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["packages", "import", str(bad), "--partner", "BPSDMD", "--json"])
    assert result.exit_code == 1
    body = json.loads(result.output)
    assert body["imported"] is False and body["errors"][0]["entry"] == "../x.html"
    result = runner.invoke(
        args=[
            "packages",
            "import",
            str(_fixture("singlescobasic.zip")),
            "--partner",
            "BPSDMD",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["scos"] == 1

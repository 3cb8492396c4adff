"""Package rows and extracted files for runtime tests, without the upload service (helper U's):
the manifest's items become PackageSco rows as the importer makes them (parameters appended)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from defusedxml import ElementTree
from flask import current_app

from lms.extensions import db
from lms.packages.models import Package, PackageSco, PackageVersion

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "scorm"
if not FIXTURES.exists():
    FIXTURES = Path("/work/shared/fixtures/scorm")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def outline(manifest: bytes) -> list[tuple[str, str, str]]:
    """(identifier, title, href with parameters) of each item that launches a resource."""
    root = ElementTree.fromstring(manifest)
    resources = {
        r.get("identifier"): r.get("href") or "" for r in root.iter() if _local(r.tag) == "resource"
    }
    found = []
    for item in root.iter():
        if _local(item.tag) != "item" or not item.get("identifierref"):
            continue
        title = next((c.text or "" for c in item if _local(c.tag) == "title"), "")
        href = resources.get(item.get("identifierref"), "") + (item.get("parameters") or "")
        found.append((item.get("identifier"), title.strip(), href))
    return found


def install_package(
    data: bytes, *, code: str, kind: str = "scorm12", uploader_id: int, course_id: int | None
) -> PackageVersion:
    """Extract ``data`` (a zip) under FILES_DIR and add the package, version and SCO rows."""
    package = Package(code=code, title=f"Paket {code}", kind=kind)
    db.session.add(package)
    db.session.flush()
    key = f"packages/{package.id}/1"
    folder = Path(current_app.config["FILES_DIR"]) / key
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
        manifest = archive.read("imsmanifest.xml")
    version = PackageVersion(
        package=package,
        version=1,
        status="approved",
        storage_key=key,
        uploaded_by_id=uploader_id,
        course_id=course_id,
        manifest={},
        report={},
    )
    db.session.add(version)
    for position, (identifier, title, href) in enumerate(outline(manifest)):
        db.session.add(
            PackageSco(
                version=version, identifier=identifier, title=title, href=href, position=position
            )
        )
    db.session.flush()
    return version


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


SCORM2004_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="akademi.uji.2004" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>Uji SCORM 2004</title>
      <item identifier="item_1" identifierref="res_1"><title>Kuis singkat</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res_1" type="webcontent" adlcp:scormType="sco" href="index.html">
      <file href="index.html"/><file href="sco.js"/>
    </resource>
  </resources>
</manifest>
"""

SCORM2004_INDEX = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Kuis</title>
<script src="sco.js"></script></head><body>
<h1>Kuis singkat</h1><p id="where"></p>
<button id="answer" type="button">Jawab benar dan selesai</button>
</body></html>"""

# Finds API_1484_11 by the spec's walk up the parents, then Initialize, reads, sets, Terminate.
SCORM2004_JS = """
function findAPI(win) { var n = 0; while (win && n < 10) { if (win.API_1484_11) return win.API_1484_11;
  if (win === win.parent) break; win = win.parent; n++; } return null; }
var api = null;
window.addEventListener('load', function () {
  api = findAPI(window.parent);
  api.Initialize('');
  document.getElementById('where').textContent = 'entry=' + api.GetValue('cmi.entry') +
    ' learner=' + api.GetValue('cmi.learner_name');
  api.SetValue('cmi.completion_status', 'incomplete');
  api.SetValue('cmi.location', 'q1');
  api.Commit('');
  document.getElementById('answer').addEventListener('click', function () {
    api.SetValue('cmi.interactions.0.id', 'q1');
    api.SetValue('cmi.interactions.0.type', 'choice');
    api.SetValue('cmi.interactions.0.learner_response', '<b>x</b>');
    api.SetValue('cmi.interactions.0.result', 'correct');
    api.SetValue('cmi.score.min', '0'); api.SetValue('cmi.score.max', '10');
    api.SetValue('cmi.score.raw', '9'); api.SetValue('cmi.score.scaled', '0.9');
    api.SetValue('cmi.completion_status', 'completed');
    api.SetValue('cmi.success_status', 'passed');
    api.SetValue('cmi.session_time', 'PT1M5.5S');
    api.SetValue('cmi.exit', 'normal');
    window.badSet = api.SetValue('cmi.success_status', 'excellent') + ':' + api.GetLastError();
    api.Terminate('');
    document.getElementById('where').textContent = 'selesai ' + window.badSet;
  });
});
"""


def scorm2004_zip() -> bytes:
    return zip_of(
        {
            "imsmanifest.xml": SCORM2004_MANIFEST,
            "index.html": SCORM2004_INDEX,
            "sco.js": SCORM2004_JS,
        }
    )


ATTACK_INDEX = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Serang</title>
<script src="attack.js"></script></head><body><h1>Paket penyerang</h1><pre id="log"></pre></body></html>"""

# Everything a hostile package would try, each outcome written where the test reads it.
ATTACK_JS = """
window.addEventListener('load', function () {
  var log = [];
  function note(k, v) { log.push(k + '=' + v); document.getElementById('log').textContent = log.join('\\n'); }
  note('cookie', JSON.stringify(document.cookie));
  try { note('parentdom', String(window.top.document.title)); } catch (e) { note('parentdom', 'blocked'); }
  var app = document.referrer ? '' : '';
  fetch(window.APP + '/dasbor', {credentials: 'include'}).then(function (r) { return r.text(); })
    .then(function (t) { note('fetch', 'got ' + t.length); }, function () { note('fetch', 'blocked'); });
  var forged = {type: 'commit', finish: true, cmi: {'cmi.core.lesson_status': 'passed', 'cmi.core.score.raw': '100'}};
  window.top.postMessage(forged, '*');
  window.parent.postMessage(forged, '*');
  try { window.top.location = window.APP + '/keluar'; note('top', 'tried'); } catch (e) { note('top', 'blocked'); }
  note('done', 'yes');
});
"""

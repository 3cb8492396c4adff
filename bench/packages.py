"""Package upload benchmark: a 100 MiB SCORM package uploaded over HTTP, extracted and validated.

``.venv/bin/python bench/packages.py [--mib 100] [--runs 3] [--json PATH]``

1. Writes a SCORM 1.2 package of about ``--mib`` MiB to a temporary directory, streamed to disk
   (2 MiB members of random, incompressible bytes, so the zip is as big as its content, plus one
   launch page and the manifest), and a multipart body holding it, also on disk.
2. Serves the app (temporary SQLite database and file store, CSRF off) with werkzeug in a thread,
   logs in as a partner's staff account and POSTs the multipart body to ``/paket/unggah``,
   streamed from the file with ``http.client``: the full path a browser takes (werkzeug's
   multipart parser spools the file to disk, then ``import_package`` extracts it while counting,
   parses the manifest and renames the folder into place). Each run uploads a new version.
3. Reports per run the wall time of the request and, for the process: VmRSS before, the peak
   (``ru_maxrss``) after, and the peak's growth over the RSS before the first upload. A
   ``tracemalloc`` pass over one more upload gives the peak Python heap (tracing slows it, so it
   is not timed).

The memory bound to hold: the growth must not scale with the package (it is streamed in 64 KiB
chunks everywhere); on this machine it stays within a few tens of MiB for 100 MiB. Prints a
table and writes JSON to ``bench/results/packages.json``. Touches nothing outside a temporary
directory and that file.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MANIFEST = """<?xml version="1.0"?>
<manifest identifier="BENCH-100" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="ORG"><organization identifier="ORG"><title>Bench</title>
    <item identifier="I1" identifierref="R1"><title>Satu</title></item>
  </organization></organizations>
  <resources><resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="index.html">
    <file href="index.html"/>{files}</resource></resources>
</manifest>"""


def vm_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def build_package(folder: Path, mib: int) -> Path:
    path = folder / "bench-package.zip"
    chunk = 2 * 1024 * 1024
    names = [f"media/part{n:03d}.mp4" for n in range(max(1, mib // 2))]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", "<p>bench</p>")
        for name in names:
            with archive.open(name, "w") as member:
                member.write(os.urandom(chunk))
        refs = "".join(f'<file href="{n}"/>' for n in names)
        archive.writestr("imsmanifest.xml", MANIFEST.format(files=refs))
    return path


def build_body(folder: Path, package: Path) -> tuple[Path, str]:
    boundary = uuid.uuid4().hex
    body = folder / "body.bin"
    with open(body, "wb") as out, open(package, "rb") as source:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="code"\r\n\r\nBENCH-100\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="bench.zip"\r\nContent-Type: application/zip\r\n\r\n'.encode()
        )
        while block := source.read(1024 * 1024):
            out.write(block)
        out.write(f"\r\n--{boundary}--\r\n".encode())
    return body, boundary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "packages.json"))
    args = parser.parse_args()

    from werkzeug.serving import make_server

    from lms import create_app
    from lms.auth import services as auth
    from lms.auth.models import PartnerInstitution
    from lms.extensions import db
    from lms.permissions import Role

    tmp = Path(tempfile.mkdtemp(prefix="bench-packages-"))
    package = build_package(tmp, args.mib)
    body, boundary = build_body(tmp, package)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
            "FILES_DIR": str(tmp / "files"),
            "WTF_CSRF_ENABLED": False,
            "PACKAGE_MAX_UPLOAD": 2 * args.mib * 1024 * 1024,
        },
        env="testing",
    )
    with app.app_context():
        db.create_all()
        partner = PartnerInstitution(code="BENCH", name="Lembaga Bench")
        db.session.add(partner)
        db.session.flush()
        user = auth.create_user("bench.mitra", "bench12345", {Role.MITRA})
        user.partner_id = partner.id
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request(
        "POST",
        "/masuk",
        body="identifier=bench.mitra&password=bench12345",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    login = conn.getresponse()
    login.read()
    cookie = "; ".join(
        value.split(";", 1)[0] for key, value in login.getheaders() if key == "Set-Cookie"
    )

    def upload() -> tuple[int, float]:
        size = body.stat().st_size
        started = time.perf_counter()
        with open(body, "rb") as stream:
            conn.request(
                "POST",
                "/paket/unggah",
                body=stream,
                headers={
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Content-Length": str(size),
                    "Cookie": cookie,
                },
            )
            response = conn.getresponse()
            response.read()
        return response.status, time.perf_counter() - started

    rss_before = vm_rss_kib()
    runs = []
    for n in range(args.runs):
        status, seconds = upload()
        runs.append(
            {
                "run": n + 1,
                "status": status,
                "seconds": round(seconds, 2),
                "rss_kib": vm_rss_kib(),
                "peak_kib": peak_kib(),
                "peak_growth_mib": round((peak_kib() - rss_before) / 1024, 1),
            }
        )
    tracemalloc.start()
    upload()
    _current, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    server.shutdown()

    result = {
        "package_mib": round(package.stat().st_size / 1048576, 1),
        "rss_before_mib": round(rss_before / 1024, 1),
        "runs": runs,
        "python_heap_peak_mib": round(heap_peak / 1048576, 1),
    }
    print(f"package: {result['package_mib']} MiB; RSS before: {result['rss_before_mib']} MiB")
    print("run  status  seconds  RSS MiB  peak MiB  peak growth MiB")
    for r in runs:
        print(
            f"{r['run']:>3}  {r['status']:>6}  {r['seconds']:>7}  {r['rss_kib'] / 1024:>7.1f}"
            f"  {r['peak_kib'] / 1024:>8.1f}  {r['peak_growth_mib']:>15}"
        )
    print(f"tracemalloc peak (one more upload): {result['python_heap_peak_mib']} MiB")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

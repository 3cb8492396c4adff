"""Certificate PDF benchmark: render N certificates in-process and serve a stored one.

``.venv/bin/python bench/certificates.py [--n 1000] [--json PATH]``

1. Builds a temporary SQLite database and file store, and issues N real certificates through the
   services: N employees (distinct names, NIPs, birth dates) complete one published course of two
   modules with ``lms.completion.services.complete_course``, so every certificate has its own
   number, token, QR code and printed fields.
2. For each certificate, interleaved (the machine's load changes during the run, so the two are
   measured back to back and compared as a ratio):
   - **full**: ``lms.certificates.render.store_pdf``: template + QR code + the strict URL fetcher +
     WeasyPrint with the shared font configuration + ``storage.save`` (with its SHA-256) + flush;
   - **bare**: the same HTML string (rendered once beforehand, outside the timing) through plain
     ``weasyprint.HTML(string=…).write_pdf(stylesheets=[the same CSS file])``: WeasyPrint's default
     URL fetcher, no shared font configuration, no QR code generation, no storage.
   A bare render that reuses one ``FontConfiguration`` is measured too (every 10th certificate),
   to show what the sharing alone is worth.
3. Peak memory, measured first, with the app's renderer alone (``render_pdf`` of 200
   certificates, before any bare render): ``resource.getrusage(RUSAGE_SELF).ru_maxrss``, VmRSS
   after 100 and 200 (growth would show a leak), and a ``tracemalloc`` pass over 20 renders for
   the peak Python heap (tracing slows rendering, so it is not timed). The bare renders come
   after: each builds a new ``FontConfiguration`` and the process grows with them.
4. Serving a stored PDF: ``GET /sertifikat/<id>/pdf`` through the Flask test client as the owner,
   logged in through the real form (the route serves from storage via ``ensure_pdf``); when the
   route does not exist, a minimal route doing ``storage.read`` + ``send_file`` instead.

Prints a table and writes JSON to ``bench/results/certificates.json`` (ignored by git). Touches
nothing outside a temporary directory and that file.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "certificates.json"
PASSWORD = "bench12345"

FIRST_NAMES = ["Siti", "Ahmad", "Dewi", "Budi", "Rina", "Agus", "Nur", "Hendra", "Ratna", "Yusuf"]
LAST_NAMES = ["Aminah", "Saputra", "Lestari", "Santoso", "Wulandari", "Hidayat", "Pratama", "Sari"]


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(pct(values, 0.95) * 1000, 2),
        "mean_ms": round(statistics.fmean(values) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2),
    }


def build(app, n: int) -> tuple[list[int], int]:
    """N employees complete one course; returns the certificate ids and the first owner's user id."""
    from lms.auth import services as auth
    from lms.certificates.models import Certificate, CertificateSeries
    from lms.completion.services import complete_course
    from lms.courses import services as courses
    from lms.extensions import db
    from lms.org.models import Employee, Instansi
    from lms.org.reference import load_reference
    from lms.org.services import save_unit

    with app.app_context():
        db.create_all()
        load_reference()
        instansi = Instansi(code="5671", name="Pemerintah Kota Palembang", city="Palembang")
        db.session.add(instansi)
        db.session.flush()
        opd = save_unit(
            None, instansi=instansi, code="DINKES", name="Dinas Kesehatan", kind="opd", parent=None
        )
        unit = save_unit(
            None,
            instansi=instansi,
            code="DINKES-YANKES",
            name="Seksi Pelayanan Kesehatan",
            kind="seksi",
            parent=opd,
        )
        db.session.add(
            CertificateSeries(
                code="STTP",
                name="Surat Tanda Tamat Pelatihan",
                number_format="{seq:04d}/{prefix}/BKPSDM/{year}",
                prefix="STTP",
                is_default=True,
                issuer_name="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
                issuer_parent="Pemerintah Kota Palembang",
                place_of_issue="Palembang",
                signatory_name="Dr. Hj. Ratna Sari Dewi, S.H., M.Si.",
                signatory_position="Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
                signatory_nip="197203151998032004",
            )
        )
        course = courses.create_course(
            "PPP-01",
            courses.category_named("Pelayanan Publik"),
            {
                "title": "Pelayanan Publik Prima bagi Aparatur Sipil Negara",
                "summary": "Pelatihan pelayanan publik.",
                "competency_kind": "teknis",
                "jp": 20,
                "delivery_mode": "e-learning",
                "jenis_diklat_code": 16,
                "tags": ["pelayanan"],
            },
            None,
        )
        version = course.latest_version
        for m, title in enumerate(("Etika Pelayanan Publik", "Standar Pelayanan Publik"), 1):
            module = courses.add_module(version, f"Modul {m}: {title}")
            for i in range(2):
                courses.save_lesson(module, None, f"Materi {m}.{i + 1}", "Isi.", 45)
        courses.publish(None, version)
        employees = []
        for i in range(n):
            birth = date(1975, 1, 1) + timedelta(days=(i * 37) % 9000)
            employee = Employee(
                nip=f"{birth:%Y%m%d}2015031{i % 999 + 1:03d}",
                full_name=f"{FIRST_NAMES[i % 10]} {LAST_NAMES[(i // 10) % 8]} {i + 1}",
                gender="L",
                birth_date=birth,
                birth_place="Palembang",
                unit=unit,
                golongan_code="III/a",
                position_name="Pengolah Data",
            )
            db.session.add(employee)
            employees.append(employee)
        db.session.flush()
        owner = auth.create_user("bench.pegawai", PASSWORD, set(), employee=employees[0])
        ids = []
        for i, employee in enumerate(employees):
            completion = complete_course(
                employee,
                course,
                completed_at=datetime(2026, 11, 28, 3, 0, tzinfo=UTC) + timedelta(minutes=i),
                started_on=date(2026, 11, 3),
                score=Decimal(70 + i % 30),
                source="online",
            )
            ids.append(
                db.session.query(Certificate.id).filter_by(completion_id=completion.id).scalar()
            )
        db.session.commit()
        return ids, owner.id


def login(client) -> None:
    page = client.get("/masuk")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data)
    data = {"identifier": "bench.pegawai", "password": PASSWORD}
    if token:
        data["csrf_token"] = token.group(1).decode()
    response = client.post("/masuk", data=data)
    if response.status_code != 302:
        raise SystemExit(f"login failed: {response.status_code}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="certificates to render (1000)")
    parser.add_argument("--serve", type=int, default=1000, help="GETs of a stored PDF (1000)")
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()
    for key in [k for k in os.environ if k.startswith("LMS_")]:
        del os.environ[key]

    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-cert-"))
    try:
        return run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, tmp: Path) -> int:
    import logging

    from weasyprint import CSS, HTML
    from weasyprint import __version__ as weasy_version
    from weasyprint.text.fonts import FontConfiguration

    from lms import create_app
    from lms.certificates import render
    from lms.certificates.models import Certificate
    from lms.extensions import db

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # per-render notices
    started = time.perf_counter()
    rss_start = rss_mib()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
            "FILES_DIR": str(tmp / "files"),
            "BASE_URL": "https://akademi.palembang.go.id",
            "LOGIN_RATE_LIMIT": "1000 per minute",
        },
        env="testing",
    )
    t0 = time.perf_counter()
    ids, _owner = build(app, args.n)
    build_s = time.perf_counter() - t0
    print(f"built {len(ids)} certificates in {build_s:.1f} s", flush=True)

    base_url = render.STATIC_DIR.as_uri() + "/"
    full, bare, bare_shared, sizes = [], [], [], []
    shared_fc = FontConfiguration()
    rss_marks = {}
    with app.app_context():
        # Memory of the app's renderer alone, before any bare render: a bare render builds a new
        # FontConfiguration (Fontconfig loads every system font) each time and its process keeps
        # growing, which would hide ours. render_pdf only (nothing stored), the first 200.
        first = db.session.get(Certificate, ids[0])
        render.render_pdf(first)  # warm-up: loads the fonts
        rss_marks["ours_after_warmup"] = rss_mib()
        for i, certificate_id in enumerate(ids[:200], 1):
            render.render_pdf(db.session.get(Certificate, certificate_id))
            if i % 100 == 0:
                rss_marks[f"ours_after_{i}"] = rss_mib()
        maxrss_ours = maxrss_mib()
        tracemalloc.start()
        for certificate_id in ids[:20]:
            render.render_pdf(db.session.get(Certificate, certificate_id))
        _current, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.session.expunge_all()
        print(f"renderer alone: maxrss {maxrss_ours:.0f} MiB", flush=True)

        HTML(string=render.render_html(first), base_url=base_url).write_pdf(
            stylesheets=[CSS(filename=str(render.STYLESHEET))]
        )  # warm-up of the bare path
        for i, certificate_id in enumerate(ids, 1):
            certificate = db.session.get(Certificate, certificate_id)
            html = render.render_html(certificate)  # the same HTML for the bare renders

            t = time.perf_counter()
            data = render.store_pdf(certificate)
            full.append(time.perf_counter() - t)
            sizes.append(len(data))

            t = time.perf_counter()
            HTML(string=html, base_url=base_url).write_pdf(
                stylesheets=[CSS(filename=str(render.STYLESHEET))]
            )
            bare.append(time.perf_counter() - t)

            if i % 10 == 0 or i == len(ids) < 10:
                t = time.perf_counter()
                HTML(string=html, base_url=base_url).write_pdf(
                    stylesheets=[CSS(filename=str(render.STYLESHEET), font_config=shared_fc)],
                    font_config=shared_fc,
                )
                bare_shared.append(time.perf_counter() - t)
            if i % 100 == 0:
                db.session.commit()
                db.session.expunge_all()
                rss_marks[f"interleaved_after_{i}"] = rss_mib()
                print(
                    f"  {i}: full median {statistics.median(full) * 1000:.0f} ms, "
                    f"bare median {statistics.median(bare) * 1000:.0f} ms, RSS {rss_mib():.0f} MiB",
                    flush=True,
                )
        db.session.commit()
        maxrss_after_renders = maxrss_mib()

        stored = db.session.get(Certificate, ids[0])
        stored_bytes = render.get_storage().read(stored.pdf_key)

    # Serving a stored PDF.
    route = "/sertifikat/<int:certificate_id>/pdf"
    has_route = any(r.rule == route for r in app.url_map.iter_rules())
    if has_route:
        path, how = f"/sertifikat/{ids[0]}/pdf", "GET /sertifikat/<id>/pdf (the download route)"
    else:
        from flask import send_file

        from lms.storage import get_storage

        def bench_pdf(certificate_id: int):
            certificate = db.session.get(Certificate, certificate_id)
            data = get_storage().read(certificate.pdf_key)
            return send_file(io.BytesIO(data), mimetype="application/pdf")

        app.add_url_rule("/_bench/pdf/<int:certificate_id>", view_func=bench_pdf)
        path, how = f"/_bench/pdf/{ids[0]}", "storage.read + send_file (minimal bench route)"
    client = app.test_client()
    if has_route:
        login(client)
    serve = []
    for _ in range(10):
        client.get(path)
    for _ in range(args.serve):
        t = time.perf_counter()
        response = client.get(path)
        body = response.data
        serve.append(time.perf_counter() - t)
        if response.status_code != 200 or body != stored_bytes:
            raise SystemExit(f"serving failed: {response.status_code}, {len(body)} bytes")

    ratio = statistics.median(full) / statistics.median(bare)
    ratio_shared = statistics.median(full) / statistics.median(bare_shared)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "loadavg_start": os.getloadavg(),
            "weasyprint": weasy_version,
            "flask": metadata.version("flask"),
        },
        "certificates": len(ids),
        "data": "N real certificates issued through complete_course in a temporary SQLite DB",
        "build_s": round(build_s, 1),
        "full_store_pdf": summary(full),
        "bare_weasyprint": summary(bare),
        "bare_weasyprint_shared_fonts": summary(bare_shared),
        "ratio_full_to_bare_median": round(ratio, 2),
        "ratio_full_to_bare_shared_fonts_median": round(ratio_shared, 2),
        "pdf_bytes": {"median": int(statistics.median(sizes)), "max": max(sizes)},
        "memory_mib": {
            "rss_at_start": round(rss_start, 1),
            "rss_marks": {k: round(v, 1) for k, v in rss_marks.items()},
            "maxrss_renderer_alone_200": round(maxrss_ours, 1),
            "maxrss_after_interleaved_run": round(maxrss_after_renders, 1),
            "tracemalloc_peak_20_renders": round(traced_peak / 2**20, 1),
        },
        "serve": {"how": how, "pdf_bytes": len(stored_bytes), **summary(serve)},
        "wall_s": round(time.perf_counter() - started, 1),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))

    print()
    print(f"{'measure':52} {'median':>9} {'p95':>9}")
    for label, key in (
        ("store_pdf (template+QR+fetcher+shared fonts+save)", "full_store_pdf"),
        ("bare WeasyPrint, same HTML", "bare_weasyprint"),
        ("bare WeasyPrint, same HTML, shared fonts (1 in 10)", "bare_weasyprint_shared_fonts"),
        ("serve stored PDF: " + ("download route" if has_route else "read+send_file"), None),
    ):
        s = result[key] if key else result["serve"]
        print(f"{label:52} {s['median_ms']:>7.1f}ms {s['p95_ms']:>7.1f}ms")
    print(
        f"ratio full / bare (median): {ratio:.2f}; full / bare with shared fonts: {ratio_shared:.2f}"
    )
    m = result["memory_mib"]
    marks = m["rss_marks"]
    print(
        f"memory, renderer alone: maxrss {m['maxrss_renderer_alone_200']} MiB, RSS after warm-up "
        f"{marks['ours_after_warmup']} MiB, after 100 {marks.get('ours_after_100')} MiB, after 200 "
        f"{marks.get('ours_after_200')} MiB; tracemalloc peak (20 renders) "
        f"{m['tracemalloc_peak_20_renders']} MiB"
    )
    print(
        f"memory, whole run (bare renders included): maxrss {m['maxrss_after_interleaved_run']} MiB"
    )
    print(f"PDF size median {result['pdf_bytes']['median']} bytes; wall {result['wall_s']} s")
    print(f"written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

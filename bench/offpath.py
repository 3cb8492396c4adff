"""Work moved off the request path (issue 19 point 4): what the page waits for, before and after.

``.venv/bin/python bench/offpath.py gift [--questions 200 1000]``
``.venv/bin/python bench/offpath.py report-pdf [--n 3]``

- ``gift``: a fresh SQLite database; a trainer uploads a GIFT file of N questions and confirms.
  Timed: the confirm POST (what the trainer waits for) and the import task that then runs in the
  background thread (the work the confirm used to do inside the request).
- ``report-pdf``: a copy of the city dataset (``/work/notes/city.db``, migrated to this tree's
  head), ``bench.bkpsdm``. Timed, one after the other in the same process: ``GET
  /laporan/jp-compliance.pdf`` (the PDF made in the request, as the report page linked it before)
  and ``POST /laporan/jp-compliance/ekspor?format=pdf`` (the report page's button now), then the
  background job until its file is ready.

Wall time and the request thread's CPU (``time.thread_time``; steady on a shared machine) are
printed for each. The app runs with ``TASKS_IN_THREAD = True`` (production's default).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CITY = Path("/work/notes/city.db")


def token_of(html: bytes) -> str:
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', html)
    return match.group(1).decode() if match else ""


def login(client, username: str, password: str) -> None:
    page = client.get("/masuk")
    data = {"identifier": username, "password": password, "csrf_token": token_of(page.data)}
    if client.post("/masuk", data=data).status_code != 302:
        raise SystemExit(f"login of {username} failed")


def timed(call):
    t, cpu = time.perf_counter(), time.thread_time()
    result = call()
    return result, (time.perf_counter() - t) * 1000, (time.thread_time() - cpu) * 1000


def app_for(uri: str, files: Path):
    from lms import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": uri,
            "FILES_DIR": str(files),
            "LOGIN_RATE_LIMIT": "100000 per minute",
            "LOGIN_ADDRESS_RATE_LIMIT": "100000 per minute",
            "TASKS_IN_THREAD": True,
        },
        env="testing",
    )


def gift_bytes(n: int) -> bytes:
    return "\n".join(
        f"$CATEGORY: Bab {i % 5}\n\n::Soal {i}:: Ibu kota nomor {i}? {{=Palembang ~Jambi ~Padang}}\n"
        for i in range(n)
    ).encode()


def bench_gift(args, tmp: Path) -> None:
    import io

    from lms.extensions import db
    from lms.tasks import background_worker
    from tests.factories import build_world, make_course

    app = app_for(f"sqlite:///{tmp / 'gift.db'}", tmp / "files")
    with app.app_context():
        db.create_all()
        world = build_world()
        course_ids = [
            make_course(f"GIFT-{n}", trainer=world.users["pengajar"]).id for n in args.questions
        ]
        db.session.commit()
    client = app.test_client()
    login(client, "pengajar", "rahasia123")
    for n, course_id in zip(args.questions, course_ids, strict=True):
        url = f"/kelola/pelatihan/{course_id}/bank-soal/impor"
        preview = client.post(
            url,
            data={
                "csrf_token": token_of(client.get(url).data),
                "file": (io.BytesIO(gift_bytes(n)), "soal.gift"),
                "format": "gift",
                "category": "",
            },
            content_type="multipart/form-data",
        )
        form = re.search(rb'action="[^"]*konfirmasi">(.*?)</form>', preview.data, re.S).group(1)
        fields = dict(re.findall(rb'name="(\w+)" type="hidden" value="([^"]*)"', form))
        data = {k.decode(): v.decode() for k, v in fields.items()}
        response, wall, cpu = timed(lambda: client.post(f"{url}/konfirmasi", data=data))  # noqa: B023
        _, task_wall, _ = timed(background_worker.join)
        print(
            f"GIFT {n} questions: confirm answered {response.status_code} in {wall:.0f} ms "
            f"(request CPU {cpu:.0f} ms); the import task finished {task_wall:.0f} ms later"
        )


def bench_report_pdf(args, tmp: Path) -> None:
    from flask_migrate import upgrade

    from lms.extensions import db
    from lms.reports.models import ExportJob

    shutil.copy(CITY, tmp / "city.db")
    app = app_for(f"sqlite:///{tmp / 'city.db'}", tmp / "files")
    with app.app_context():
        upgrade()
    client = app.test_client()
    login(client, "bench.bkpsdm", "bench12345")
    query = "tahun=2026"
    client.get(f"/laporan/jp-compliance.pdf?{query}")  # warm-up: WeasyPrint's import and fonts
    before, after, after_cpu, before_cpu, done = [], [], [], [], []
    for _ in range(args.n):
        response, wall, cpu = timed(lambda: client.get(f"/laporan/jp-compliance.pdf?{query}"))
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        before.append(wall)
        before_cpu.append(cpu)
        token = token_of(client.get(f"/laporan/jp-compliance?{query}").data)
        form = {"csrf_token": token}
        response, wall, cpu = timed(
            lambda form=form: client.post(
                f"/laporan/jp-compliance/ekspor?format=pdf&{query}", data=form
            )
        )
        assert response.status_code == 302
        after.append(wall)
        after_cpu.append(cpu)
        job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
        t = time.perf_counter()
        while True:
            with app.app_context():
                status = db.session.get(ExportJob, job_id).status
            if status in ("done", "failed"):
                break
            time.sleep(0.05)
        assert status == "done"
        done.append((time.perf_counter() - t) * 1000)
    med = statistics.median
    print(
        f"JP-compliance PDF in the request (GET .pdf): median {med(before):.0f} ms "
        f"(request CPU {med(before_cpu):.0f} ms)\n"
        f"JP-compliance PDF as a job (POST ekspor?format=pdf): answered in median "
        f"{med(after):.0f} ms (request CPU {med(after_cpu):.0f} ms); file ready "
        f"{med(done):.0f} ms later"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="part", required=True)
    gift = sub.add_parser("gift")
    gift.add_argument("--questions", type=int, nargs="+", default=[200, 1000])
    pdf = sub.add_parser("report-pdf")
    pdf.add_argument("--n", type=int, default=3)
    args = parser.parse_args()
    for key in [k for k in os.environ if k.startswith("LMS_")]:
        del os.environ[key]
    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-offpath-"))
    try:
        (bench_gift if args.part == "gift" else bench_report_pdf)(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

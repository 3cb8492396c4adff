"""City-size data generator: 15,000 employees, 60 units, 200 courses, 300,000 enrolments,
1,000,000 lesson-progress rows (sizes adjustable: more units too above scale 1), written with bulk
inserts.

    .venv/bin/python bench/generate.py --url sqlite:////tmp/city.db [--scale 1.0]

It migrates the target database first, then fills it. Three accounts are created for
benchmarks, all with the password ``bench12345``: ``bench.pegawai`` (an employee with 20
enrolments), ``bench.atasan`` (their supervisor) and ``bench.bkpsdm`` (Admin BKPSDM).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select

from lms import create_app
from lms.auth import services as auth
from lms.auth.models import User, UserRole
from lms.courses.models import Category, Course, CourseVersion, Lesson, Module
from lms.courses.services import ensure_default_categories
from lms.enrolments.models import Enrolment, LessonProgress
from lms.extensions import db
from lms.org.models import Employee, Instansi, Unit
from lms.org.reference import load_reference

PASSWORD = "bench12345"
CHUNK = 20_000


def _defaults(table) -> dict[str, object]:
    """Python-side column defaults (what ``insert()`` would add), for COPY, which adds none."""
    out = {}
    for col in table.columns:
        default = col.default
        if default is None or col.primary_key:
            continue
        if default.is_scalar:
            out[col.name] = default.arg
        elif default.is_callable:
            out[col.name] = default.arg(None)
    return out


def _copy(model: type, rows: list[dict]) -> None:
    """PostgreSQL: COPY the rows (several times faster than multi-row INSERTs)."""
    from psycopg.types.json import Json

    table = model.__table__
    defaults = _defaults(table)
    names = list(dict.fromkeys([*defaults, *rows[0]]))
    json_cols = {c.name for c in table.columns if c.type.__class__.__name__ in ("JSON", "JSONB")}

    cols = ", ".join(f'"{n}"' for n in names)
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
        if json_cols:
            for row in rows:
                values = [row[n] if n in row else defaults[n] for n in names]
                copy.write_row(
                    [
                        Json(v) if n in json_cols and v is not None else v
                        for n, v in zip(names, values, strict=True)
                    ]
                )
        else:
            plan = [(n, defaults.get(n)) for n in names]
            write = copy.write_row
            for row in rows:
                write([row.get(n, d) for n, d in plan])


def _bulk(model: type, rows) -> int:
    """Insert ``rows`` (a list, or any iterable: written every ``CHUNK`` rows); how many."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    chunk: list[dict] = []
    n = 0
    for row in rows:
        n += 1
        chunk.append(row)
        if len(chunk) >= CHUNK:
            _copy(model, chunk) if postgres else db.session.execute(insert(model), chunk)
            chunk = []
    if chunk:
        _copy(model, chunk) if postgres else db.session.execute(insert(model), chunk)
    return n


def generate(url: str, scale: float = 1.0, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    n_employees = int(15_000 * scale)
    n_courses = max(int(200 * scale), 25)
    per_employee = 20
    progress_target = int(1_000_000 * scale)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_COST": 64}
    )
    timings = {}
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        if db.session.scalar(select(Employee.id).limit(1)) is not None:
            raise SystemExit("the target database is not empty")
        t0 = time.perf_counter()
        load_reference()
        ensure_default_categories()
        instansi = Instansi(code="9999", name="Pemerintah Kota Uji Beban")
        db.session.add(instansi)
        db.session.flush()
        units: list[Unit] = []
        # A bigger government has more offices, not bigger ones: 15 OPDs (60 units, about 250
        # people each) at city size and below, ten times as many at --scale 10, so a supervisor
        # still heads about 250 people and the growth figures compare like with like.
        for o in range(max(15, round(15 * scale))):
            opd = Unit(
                instansi_id=instansi.id, code=f"OPD{o:02d}", name=f"Dinas Uji {o}", kind="opd"
            )
            db.session.add(opd)
            db.session.flush()
            opd.path = f"/{opd.id}/"
            units.append(opd)
            for b in range(3):
                sub = Unit(
                    instansi_id=instansi.id,
                    parent_id=opd.id,
                    code=f"OPD{o:02d}-B{b}",
                    name=f"Bidang {b} Dinas Uji {o}",
                    kind="bidang",
                )
                db.session.add(sub)
                db.session.flush()
                sub.path = f"{opd.path}{sub.id}/"
                units.append(sub)
        db.session.flush()
        grades = ["II/a", "II/c", "III/a", "III/b", "III/c", "III/d", "IV/a"]
        rows = []
        for i in range(n_employees):
            gender = rng.choice("12")
            birth = date(1965, 1, 1) + timedelta(days=rng.randint(0, 12_000))
            nip = f"{birth:%Y%m%d}{max(birth.year + 23, 1990)}{rng.randint(1, 12):02d}{gender}{i % 1000 or 1:03d}"
            rows.append(
                {
                    "nip": nip[:8] + f"{(int(nip[8:12]) + i // 1000) % 10000:04d}" + nip[12:],
                    "kind": "pns",
                    "full_name": f"Pegawai Uji {i}",
                    "front_title": "",
                    "back_title": "",
                    "gender": "L" if gender == "1" else "P",
                    "birth_place": "Palembang",
                    "birth_date": birth,
                    "golongan_code": rng.choice(grades),
                    "position_name": "Pelaksana",
                    "email": "",
                    "unit_id": units[i % len(units)].id,
                    "is_active": True,
                    "created_at": datetime.now(UTC),
                    "updated_at": datetime.now(UTC),
                }
            )
        _bulk(Employee, rows)
        ids = list(db.session.scalars(select(Employee.id).order_by(Employee.id)))
        heads = {}
        for emp_id, row in zip(ids, rows, strict=True):
            heads.setdefault(row["unit_id"], emp_id)
        # Every unit is headed by its first employee, who supervises the rest: one UPDATE per
        # unit (one per employee took minutes at scale 10).
        emp = Employee.__table__
        for unit_id, head in heads.items():
            db.session.execute(
                emp.update()
                .where(emp.c.unit_id == unit_id, emp.c.id != head)
                .values(supervisor_id=head)
            )
        timings["employees_s"] = round(time.perf_counter() - t0, 1)

        t0 = time.perf_counter()
        categories = list(db.session.scalars(select(Category)))
        lesson_keys: dict[int, list[str]] = {}
        course_ids = []
        for c in range(n_courses):
            course = Course(
                code=f"UJI-{c:04d}",
                category_id=categories[c % len(categories)].id,
                search_text=f"uji-{c:04d} pelatihan uji {c} pelayanan kepemimpinan",
            )
            db.session.add(course)
            db.session.flush()
            version = CourseVersion(
                course_id=course.id,
                number=1,
                status="published",
                title=f"Pelatihan Uji {c}",
                summary="Pelatihan untuk uji beban.",
                competency_kind=rng.choice(["teknis", "manajerial", "sosial_kultural"]),
                jp=rng.choice([2, 4, 6, 8, 12]),
                delivery_mode="e-learning",
                jenis_diklat_code=16,
                published_at=datetime.now(UTC),
            )
            db.session.add(version)
            db.session.flush()
            course.published_version_id = version.id
            keys = []
            for m in range(2):
                module = Module(version_id=version.id, title=f"Modul {m + 1}", position=m)
                db.session.add(module)
                db.session.flush()
                for lpos in range(3):
                    key = f"{c:04d}{m}{lpos}".ljust(32, "0")
                    keys.append(key)
                    db.session.add(
                        Lesson(
                            module_id=module.id,
                            version_id=version.id,
                            key=key,
                            position=lpos,
                            title=f"Pelajaran {m + 1}.{lpos + 1}",
                            body_md="Isi pelajaran.\n" * 40,
                            body_html="<p>Isi pelajaran.</p>" * 40,
                            minutes=30,
                        )
                    )
            lesson_keys[course.id] = keys
            course_ids.append(course.id)
        db.session.flush()
        timings["courses_s"] = round(time.perf_counter() - t0, 1)

        t0 = time.perf_counter()
        now = datetime.now(UTC)

        def enrolments():
            for emp_id in ids:
                for course_id in rng.sample(course_ids, per_employee):
                    status = rng.choices(["active", "completed", "withdrawn"], [6, 3, 1])[0]
                    yield {
                        "course_id": course_id,
                        "employee_id": emp_id,
                        "status": status,
                        "source": "self",
                        "requested_at": now,
                        "created_at": now,
                        "updated_at": now,
                        "end_reason": "",
                        "progress": 100
                        if status == "completed"
                        else rng.choice([0, 17, 33, 50, 67, 83]),
                        "completed_at": now - timedelta(days=rng.randint(0, 300))
                        if status == "completed"
                        else None,
                    }

        n_enrolments = _bulk(Enrolment, enrolments())
        timings["enrolments_s"] = round(time.perf_counter() - t0, 1)

        t0 = time.perf_counter()
        per = progress_target / n_enrolments

        def progress():
            # Enrolments read back in id order, a slice at a time (3,000,000 at scale 10).
            last = 0
            while True:
                batch = db.session.execute(
                    select(Enrolment.id, Enrolment.course_id)
                    .where(Enrolment.id > last)
                    .order_by(Enrolment.id)
                    .limit(CHUNK * 5)
                ).all()
                if not batch:
                    return
                last = batch[-1][0]
                for enrolment_id, course_id in batch:
                    keys = lesson_keys[course_id]
                    take = int(per) + (1 if rng.random() < per - int(per) else 0)
                    for key in keys[: min(take, len(keys))]:
                        yield {"enrolment_id": enrolment_id, "lesson_key": key, "completed_at": now}

        n_progress = _bulk(LessonProgress, progress())
        timings["progress_s"] = round(time.perf_counter() - t0, 1)

        learner_id = ids[len(units) + 1]  # second person in a unit: not its head, has a supervisor
        supervisor_id = heads[rows[len(units) + 1]["unit_id"]]
        hashed = auth.hash_password(PASSWORD)
        for username, emp_id, role in (
            ("bench.pegawai", learner_id, None),
            ("bench.atasan", supervisor_id, None),
            ("bench.bkpsdm", ids[len(units) + 2], "admin_bkpsdm"),
        ):
            user = User(username=username, password_hash=hashed, employee_id=emp_id)
            db.session.add(user)
            db.session.flush()
            if role:
                db.session.add(UserRole(user_id=user.id, role=role))
        db.session.commit()
        counts = {
            "employees": len(ids),
            "units": len(units),
            "courses": len(course_ids),
            "enrolments": n_enrolments,
            "lesson_progress": n_progress,
        }
        if db.engine.dialect.name == "postgresql":
            # Fresh statistics and visibility maps: measured pages must not run on a planner
            # that still believes the tables empty (autovacuum would get there later).
            t0 = time.perf_counter()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
            timings["analyze_s"] = round(time.perf_counter() - t0, 1)
        db.engine.dispose()
    return {**counts, **timings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of an empty database")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = city size")
    args = parser.parse_args()
    started = time.perf_counter()
    result = generate(args.url, args.scale)
    result["total_s"] = round(time.perf_counter() - started, 1)
    print(result)


if __name__ == "__main__":
    main()

"""The BKPSDM dashboard section: figures equal independent SQL; constant query count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import DateTime, bindparam, select, text, update

from lms.careers.records.models import LearningRecord
from lms.certificates.models import Certificate
from lms.completion.models import Completion
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee, Unit
from lms.reports.dashboard import figures
from lms.reports.filters import Scope
from tests.conftest import login
from tests.reports.data import generate
from tests.test_query_counts import count_queries

YEAR = local_today().year
NOW = datetime(YEAR, 6, 20, 3, 0, tzinfo=UTC)  # 20 June, 10:00 WIB
WIB = timedelta(hours=7)


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - WIB


def _setup(app) -> None:
    """Generated data, certificates issued when the course was completed, a completion just
    after local midnight on 1 June (still 31 May in UTC) and a cohort that ended in May."""
    with app.app_context():
        generate(per_opd=10)
        db.session.execute(
            update(Certificate)
            .where(Certificate.completion_id == Completion.id)
            .values(issued_at=Completion.completed_at)
        )
        emp = db.session.scalar(select(Employee).where(Employee.full_name == "Siti Aminah"))
        programme = Programme(code="TENGAH-MALAM", title="Tengah malam")
        db.session.add(programme)
        db.session.flush()
        db.session.add(
            Completion(
                employee_id=emp.id,
                programme_id=programme.id,
                source="import",
                completed_at=datetime(YEAR, 5, 31, 17, 30, tzinfo=UTC),
                year=YEAR,
                jp=Decimal(2),
                code=programme.code,
                title=programme.title,
                identity={"name": emp.full_name},
                unit_id=emp.unit.parent_id,
            )
        )
        may = Cohort(
            programme_id=programme.id,
            code="MEI-1",
            name="Angkatan Mei",
            starts_on=date(YEAR, 5, 2),
            ends_on=date(YEAR, 5, 31),
        )
        db.session.add(may)
        db.session.flush()
        db.session.add(CohortMember(cohort_id=may.id, employee_id=emp.id, status="completed"))
        # last year: Siti reached the target by 20 June, Budi only in August (not yet then)
        budi = db.session.scalar(select(Employee).where(Employee.full_name == "Budi Santoso"))
        for who, ended in ((emp, date(YEAR - 1, 6, 1)), (budi, date(YEAR - 1, 8, 1))):
            db.session.add(
                LearningRecord(
                    employee_id=who.id,
                    source="outside",
                    status="verified",
                    name="Diklat",
                    starts_on=ended,
                    ends_on=ended,
                    year=YEAR - 1,
                    jp=Decimal(24),
                )
            )
        db.session.commit()
        db.session.remove()


def _dt(*names: str):
    return [bindparam(n, type_=DateTime(timezone=True)) for n in names]


def independent(path: str | None) -> dict[str, int]:
    """The same figures in plain SQL, boundaries worked out by hand (WIB = UTC+7)."""
    like = (path or "") + "%"
    emp_scope = "u.path LIKE :like" if path else "1 = 1"
    completion_scope = "(u.path LIKE :like OR o.path LIKE :like)" if path else "1 = 1"

    def one(sql: str, *binds, **params) -> int:
        stmt = text(sql).bindparams(*binds) if binds else text(sql)
        return int(db.session.execute(stmt, {"like": like, **params}).scalar() or 0)

    share = """
        SELECT COUNT(*) FROM employees e JOIN units u ON u.id = e.unit_id
        LEFT JOIN (SELECT employee_id, SUM(jp) AS jp FROM learning_records
                   WHERE year = :y AND status = 'verified' {until} GROUP BY employee_id) t
               ON t.employee_id = e.id
        WHERE e.is_active = :yes AND {scope} {at_target}
    """
    out = {
        "employees": one(share.format(until="", scope=emp_scope, at_target=""), y=YEAR, yes=True),
        "at_target": one(
            share.format(until="", scope=emp_scope, at_target="AND COALESCE(t.jp, 0) >= 20"),
            y=YEAR,
            yes=True,
        ),
        "at_target_last_year": one(
            share.format(
                until="AND ends_on <= :until",
                scope=emp_scope,
                at_target="AND COALESCE(t.jp, 0) >= 20",
            ),
            y=YEAR - 1,
            yes=True,
            until=date(YEAR - 1, 6, 20),
        ),
    }
    completions = f"""
        SELECT COUNT(*) FROM completions c JOIN employees e ON e.id = c.employee_id
        JOIN units u ON u.id = e.unit_id LEFT JOIN units o ON o.id = c.unit_id
        WHERE c.status = 'valid' AND c.completed_at >= :a AND c.completed_at < :b
          AND {completion_scope}
    """
    out["completions_month"] = one(
        completions, *_dt("a", "b"), a=local_midnight(date(YEAR, 6, 1)), b=NOW
    )
    out["completions_last_month"] = one(
        completions,
        *_dt("a", "b"),
        a=local_midnight(date(YEAR, 5, 1)),
        b=NOW - timedelta(days=31),
    )
    out["per_month"] = [
        one(
            completions,
            *_dt("a", "b"),
            a=local_midnight(date(y, m, 1)),
            b=local_midnight(date(y + m // 12, m % 12 + 1, 1)),
        )
        for y, m in [(YEAR - 1, m) for m in range(7, 13)] + [(YEAR, m) for m in range(1, 7)]
    ]
    cohorts = f"""
        SELECT COUNT(*) FROM cohorts k WHERE k.starts_on <= :d AND k.ends_on >= :d
        {
        ""
        if not path
        else '''AND EXISTS (SELECT 1 FROM cohort_members m
            JOIN employees e ON e.id = m.employee_id JOIN units u ON u.id = e.unit_id
            WHERE m.cohort_id = k.id AND m.status IN ('active', 'completed') AND u.path LIKE :like)'''
    }
    """
    out["cohorts"] = one(cohorts, d=date(YEAR, 6, 20))
    out["cohorts_last_month"] = one(cohorts, d=date(YEAR, 5, 20))
    certificates = f"""
        SELECT COUNT(*) FROM certificates s JOIN completions c ON c.id = s.completion_id
        JOIN employees e ON e.id = s.employee_id JOIN units u ON u.id = e.unit_id
        LEFT JOIN units o ON o.id = c.unit_id
        WHERE s.status = 'issued' AND s.issued_at >= :a AND s.issued_at < :b
          AND {completion_scope}
    """
    out["certificates"] = one(
        certificates, *_dt("a", "b"), a=local_midnight(date(YEAR, 1, 1)), b=NOW
    )
    out["certificates_last_year"] = one(
        certificates,
        *_dt("a", "b"),
        a=local_midnight(date(YEAR - 1, 1, 1)),
        b=NOW - timedelta(days=365),
    )
    return out


@pytest.mark.parametrize("opd", [None, "DINKES"])
def test_figures_equal_independent_sql(app, world, opd) -> None:
    _setup(app)
    with app.app_context():
        path = db.session.scalar(select(Unit.path).where(Unit.code == opd)) if opd else None
        scope = Scope(path=path) if path else Scope.all()
        got = figures(scope, now=NOW)
        want = independent(path)
    per_month = want.pop("per_month")
    assert got["raw"] == want
    assert [n for _d, n in got["per_month"]] == per_month
    assert got["per_month"][0][0] == date(YEAR - 1, 7, 1)
    assert got["chart"].rows[-1] == [f"Jun {YEAR % 100:02d}", per_month[-1]]
    # the data is rich enough for every figure to mean something
    assert want["completions_month"] >= 1 and want["at_target"] >= 1
    assert want["at_target_last_year"] >= 1
    assert want["cohorts_last_month"] == want["cohorts"] + 1
    if opd is None:
        assert want["certificates"] > 0 and want["certificates_last_year"] > 0
        jp = got["by_key"]["jp"]
        assert jp.value == f"{Decimal(want['at_target'] * 100 / want['employees']):.1f}%".replace(
            ".", ","
        )


def test_opd_admin_sees_their_department_only(app, world) -> None:
    _setup(app)
    with app.app_context():
        everything = figures(Scope.all(), now=NOW)["raw"]
        dinkes = db.session.scalar(select(Unit.path).where(Unit.code == "DINKES"))
        mine = figures(Scope(path=dinkes), now=NOW)["raw"]
    assert mine["employees"] < everything["employees"]
    assert mine["certificates"] <= everything["certificates"]


def test_section_on_the_dashboard(app, client, world) -> None:
    login(client, "bkpsdm")
    page = client.get("/dasbor").get_data(as_text=True)
    assert "Ringkasan pengembangan kompetensi" in page and "Semua perangkat daerah" in page
    assert 'data-figure="completions"' in page and "Penyelesaian per bulan" in page
    assert "/laporan/langganan" in page
    opd = app.test_client()
    login(opd, "opd.dinkes")
    page = opd.get("/dasbor").get_data(as_text=True)
    assert "Ringkasan pengembangan kompetensi" in page and "Dinas Kesehatan" in page
    assert "/laporan/langganan" not in page
    staff = app.test_client()
    login(staff, "pegawai")
    assert "Ringkasan pengembangan kompetensi" not in staff.get("/dasbor").get_data(as_text=True)


def _count(app, path: str | None) -> int:
    with app.app_context():
        scope = Scope(path=path) if path else Scope.all()
        with count_queries(app) as counter:
            figures(scope, now=NOW)
        return counter["n"]


def test_query_count_does_not_grow_with_data(app, world) -> None:
    with app.app_context():
        dinkes = db.session.scalar(select(Unit.path).where(Unit.code == "DINKES"))
    few = (_count(app, None), _count(app, dinkes))
    _setup(app)
    with app.app_context():
        generate(seed=5, per_opd=20, tag="B")
    many = (_count(app, None), _count(app, dinkes))
    assert few == many
    assert many[0] <= 4

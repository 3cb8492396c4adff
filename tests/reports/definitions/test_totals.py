"""Every report's totals equal independent SQL over the same generated data."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import text

from lms.extensions import db
from lms.reports.definitions import REPORTS
from lms.reports.filters import Filters, Scope, parse
from tests.reports.data import YEAR

D2 = Decimal("0.01")


def _totals(report_key: str, scope: Scope, **args: str) -> dict:
    report = REPORTS[report_key]
    f = parse(args, scope, default_year=YEAR if report_key == "jp-compliance" else None)
    return dict(report.totals(scope, f))


def _q(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(D2)


def _dinkes_scope(world) -> Scope:
    path = db.session.scalar(
        text("SELECT path FROM units WHERE id = :id"), {"id": world.units["dinkes"].id}
    )
    return Scope(path=path)


def test_completion_totals_match_sql(app, world, data) -> None:
    with app.app_context():
        got = _totals("completions", Scope.all())
        n, people, jp, score = db.session.execute(
            text(
                "SELECT COUNT(*), COUNT(DISTINCT employee_id), SUM(jp), AVG(score) "
                "FROM completions WHERE status = 'valid'"
            )
        ).one()
        assert n > 20
        assert list(got.values()) == [n, people, _q(jp), _q(score)]
        last_year = _totals("completions", Scope.all(), tahun=str(YEAR - 1))
        assert list(last_year.values())[0] == db.session.scalar(
            text("SELECT COUNT(*) FROM completions WHERE status = 'valid' AND year = :y"),
            {"y": YEAR - 1},
        )
        scope = _dinkes_scope(world)
        scoped = _totals("completions", scope)
        n, jp = db.session.execute(
            text(
                "SELECT COUNT(*), SUM(c.jp) FROM completions c "
                "JOIN employees e ON e.id = c.employee_id JOIN units u ON u.id = e.unit_id "
                "LEFT JOIN units o ON o.id = c.unit_id "
                "WHERE c.status = 'valid' AND (u.path LIKE :p || '%' OR o.path LIKE :p || '%')"
            ),
            {"p": scope.path},
        ).one()
        assert 0 < n < list(got.values())[0]
        assert list(scoped.values())[0] == n and list(scoped.values())[2] == _q(jp)
        revoked = _totals("completions", Scope.all(), status="revoked")
        assert list(revoked.values())[0] == db.session.scalar(
            text("SELECT COUNT(*) FROM completions WHERE status = 'revoked'")
        )


def test_jp_compliance_totals_and_per_opd_match_sql(app, world, data) -> None:
    ledger = (
        "LEFT JOIN (SELECT employee_id, SUM(jp) AS jp FROM learning_records "
        "WHERE status = 'verified' AND year = :y GROUP BY employee_id) t ON t.employee_id = e.id "
    )
    with app.app_context():
        got = _totals("jp-compliance", Scope.all())
        n, ok, jp = db.session.execute(
            text(
                "SELECT COUNT(*), SUM(CASE WHEN COALESCE(t.jp, 0) >= 20 THEN 1 ELSE 0 END), "
                "COALESCE(SUM(t.jp), 0) FROM employees e " + ledger + "WHERE e.is_active"
            ),
            {"y": YEAR},
        ).one()
        values = list(got.values())
        assert values[0] == n and values[1] == ok and values[2] == n - ok
        assert values[4] == _q(jp)
        assert 0 < ok < n  # the data has both sides of the target
        per_opd = db.session.execute(
            text(
                "SELECT o.name, COUNT(*), SUM(CASE WHEN COALESCE(t.jp, 0) >= 20 THEN 1 ELSE 0 END) "
                "FROM employees e JOIN units u ON u.id = e.unit_id "
                "JOIN units o ON o.parent_id IS NULL AND u.path LIKE o.path || '%' "
                + ledger
                + "WHERE e.is_active GROUP BY o.id, o.name ORDER BY o.name"
            ),
            {"y": YEAR},
        ).all()
        report = REPORTS["jp-compliance"]
        f = parse({}, Scope.all(), default_year=YEAR)
        _headers, rows = report.summary(Scope.all(), f)
        assert [(r[0], r[1], r[2]) for r in rows] == [tuple(r) for r in per_opd]
        below = _totals("jp-compliance", Scope.all(), status="belum")
        assert list(below.values())[0] == n - ok


def test_certificate_totals_match_sql(app, world, data) -> None:
    with app.app_context():
        got = _totals("certificates", Scope.all())
        counts = dict(
            db.session.execute(
                text("SELECT status, COUNT(*) FROM certificates GROUP BY status")
            ).all()
        )
        assert got["Sertifikat"] == sum(counts.values()) > 0
        assert got["Berlaku"] == counts.get("issued", 0)
        assert got["Dicabut"] == counts.get("revoked", 0)


def test_cohort_quiz_enrolment_totals_match_sql(app, world, data) -> None:
    with app.app_context():
        got = list(_totals("cohort", Scope.all()).values())
        assert got[:3] == [10, 5, 1]
        score = db.session.scalar(
            text("SELECT AVG(score) FROM completions WHERE programme_id IS NOT NULL")
        )
        assert got[3] == _q(score)
        got = list(_totals("quiz", Scope.all()).values())
        n, people, avg = db.session.execute(
            text(
                "SELECT COUNT(*), COUNT(DISTINCT employee_id), AVG(score) FROM quiz_attempts "
                "WHERE status = 'graded'"
            )
        ).one()
        assert got == [n, people, _q(avg)]
        got = list(_totals("enrolments", Scope.all()).values())
        n, people = db.session.execute(
            text("SELECT COUNT(*), COUNT(DISTINCT employee_id) FROM enrolments")
        ).one()
        assert got[:2] == [n, people]
        got = list(_totals("evaluations", Scope.all()).values())
        assert got[1] == db.session.scalar(text("SELECT COUNT(*) FROM course_evaluations"))
        trainers = REPORTS["trainers"].build(Scope.all(), Filters())
        assert trainers and trainers[0][1] == 4  # the trainer teaches the four courses
        assert trainers[0][3] == db.session.scalar(
            text(
                "SELECT COUNT(*) FROM completions WHERE status = 'valid' AND course_id IS NOT NULL"
            )
        )

"""Quiz results: attempts, scores and passes per quiz."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, Subquery, case, distinct, func, select
from sqlalchemy.orm import aliased

from lms import charts
from lms.courses.models import Course
from lms.org.models import Employee, Unit
from lms.quizzes.models import QUIZ_KIND_LABELS, Quiz, QuizAttempt
from lms.reports.definitions.base import PEOPLE, PERIOD, Column, SqlReport
from lms.reports.definitions.helpers import (
    filter_people,
    filter_period,
    rows_people_mean,
    score_histogram,
)
from lms.reports.filters import Filters, Scope

QUIZ_KINDS = QUIZ_KIND_LABELS


class QuizReport(SqlReport):
    def columns(self) -> list[Column]:
        return [
            Column("kode", _l("Kode pelatihan")),
            Column("kuis", _l("Kuis")),
            Column("jenis", _l("Jenis"), labels=QUIZ_KINDS),
            Column("peserta", _l("Peserta"), "int"),
            Column("percobaan", _l("Percobaan"), "int"),
            Column("rata", _l("Rata-rata nilai"), "number"),
            Column("tertinggi", _l("Nilai tertinggi"), "number"),
            Column("terendah", _l("Nilai terendah"), "number"),
            Column("lulus", _l("Peserta lulus"), "int"),
        ]

    def _attempts(self, scope: Scope, f: Filters) -> Select:
        cur = aliased(Unit)
        stmt = (
            select(
                QuizAttempt.id.label("attempt_id"),
                QuizAttempt.quiz_id.label("quiz_id"),
                QuizAttempt.employee_id.label("employee_id"),
                QuizAttempt.score.label("score"),
                case((QuizAttempt.score >= Quiz.pass_mark, QuizAttempt.employee_id)).label(
                    "passer"
                ),
            )
            .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
            .join(Course, Course.id == Quiz.course_id)
            .join(Employee, Employee.id == QuizAttempt.employee_id)
            .join(cur, cur.id == Employee.unit_id)
            .where(
                QuizAttempt.status == "graded",
                scope.employee_clause(Employee, cur, partner=Course.partner_id),
            )
        )
        stmt = filter_period(stmt, f, QuizAttempt.submitted_at)
        stmt = filter_people(stmt, f, Employee, cur)
        if f.course:
            stmt = stmt.where(Course.code == f.course)
        return stmt

    def select(self, scope: Scope, f: Filters, lean: bool = False) -> Select:
        att = self._attempts(scope, f).subquery()
        stmt = (
            select(
                Course.code.label("kode"),
                Quiz.title.label("kuis"),
                Quiz.kind.label("jenis"),
                func.count(distinct(att.c.employee_id)).label("peserta"),
                func.count(att.c.attempt_id).label("percobaan"),
                func.avg(att.c.score).label("rata"),
                func.max(att.c.score).label("tertinggi"),
                func.min(att.c.score).label("terendah"),
                func.count(distinct(att.c.passer)).label("lulus"),
                Quiz.id.label("id"),
            )
            .select_from(att)
            .join(Quiz, Quiz.id == att.c.quiz_id)
            .join(Course, Course.id == Quiz.course_id)
            .group_by(Quiz.id, Course.code, Quiz.title, Quiz.kind)
        )
        if f.status in QUIZ_KINDS:
            stmt = stmt.where(Quiz.kind == f.status)
        return stmt

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        n, people, score = rows_people_mean(self._kind_attempts(scope, f), "score")
        return [
            (_("Percobaan"), n),
            (_("Peserta"), people),
            (_("Rata-rata nilai"), score),
        ]

    def _kind_attempts(self, scope: Scope, f: Filters) -> Subquery:
        """The graded attempts in scope, of the chosen quiz kind (the status filter) if any."""
        att = self._attempts(scope, f)
        if f.status in QUIZ_KINDS:
            att = att.where(Quiz.kind == f.status)
        return att.subquery()

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        sub = self._kind_attempts(scope, f)
        return [score_histogram(_("Sebaran nilai percobaan kuis"), sub, "score")]


REPORT = QuizReport(
    "quiz",
    _l("Hasil kuis"),
    _l("Percobaan, nilai dan kelulusan per kuis."),
    (*PERIOD, *PEOPLE, "pelatihan", "status"),
    statuses=QUIZ_KINDS,
    default_sort="kode",
    partner_scoped=True,
)

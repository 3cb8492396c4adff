"""Trainer activity: courses taught, learners, completions and mean evaluation."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, true

from lms.auth.models import User
from lms.completion.models import Completion
from lms.courses.models import Course, CourseTrainer
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.org.models import Employee
from lms.reports.definitions.base import PEOPLE, PERIOD, Column, ListReport
from lms.reports.definitions.helpers import (
    evaluations_in_scope,
    per_course,
    quantized,
    too_few,
    valid_ratings,
)
from lms.reports.filters import Filters, Scope


class TrainersReport(ListReport):
    def columns(self) -> list[Column]:
        return [
            Column("nama", _l("Pengajar")),
            Column("pelatihan", _l("Pelatihan diampu"), "int"),
            Column("peserta", _l("Peserta"), "int"),
            Column("selesai", _l("Penyelesaian"), "int"),
            Column("evaluasi", _l("Rata-rata evaluasi"), "number"),
        ]

    def build(self, scope: Scope, f: Filters) -> list[list]:
        trainers = db.session.execute(
            select(CourseTrainer.user_id, CourseTrainer.course_id)
            .join(Course, Course.id == CourseTrainer.course_id)
            .where(Course.code == f.course if f.course else true())
        ).all()
        if not trainers:
            return []
        courses_of: dict[int, set[int]] = defaultdict(set)
        for user_id, course_id in trainers:
            courses_of[user_id].add(course_id)
        all_courses = sorted({c for cs in courses_of.values() for c in cs})

        enrolled = per_course(
            scope,
            f,
            Enrolment,
            all_courses,
            Enrolment.status.in_(("active", "completed")),
            Enrolment.requested_at,
        )
        completed = per_course(
            scope,
            f,
            Completion,
            all_courses,
            Completion.status == "valid",
            Completion.completed_at,
            Completion.year,
        )

        ratings: dict[int, list] = defaultdict(list)
        responses: dict[int, int] = defaultdict(int)
        for course_id, rated in db.session.execute(evaluations_in_scope(scope, f, all_courses)):
            responses[course_id] += 1
            ratings[course_id].extend(v for _k, v in valid_ratings(rated))
        for course_id in too_few(responses):
            ratings.pop(course_id, None)

        names = dict(
            db.session.execute(
                select(User.id, func.coalesce(Employee.full_name, User.display_name, User.username))
                .outerjoin(Employee, Employee.id == User.employee_id)
                .where(User.id.in_(list(courses_of)))
            ).all()
        )
        rows = []
        for user_id, course_ids in courses_of.items():
            values = [v for c in course_ids for v in ratings.get(c, [])]
            rows.append(
                [
                    names.get(user_id) or str(user_id),
                    len(course_ids),
                    sum(int(enrolled.get(c, 0)) for c in course_ids),
                    sum(int(completed.get(c, 0)) for c in course_ids),
                    quantized(sum(values) / len(values)) if values else None,
                ]
            )
        rows.sort(key=lambda r: r[0])
        return rows

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        rows = self.build(scope, f)
        return [
            (_("Pengajar"), len(rows)),
            (_("Peserta"), sum(r[2] for r in rows)),
            (_("Penyelesaian"), sum(r[3] for r in rows)),
        ]


REPORT = TrainersReport(
    "trainers",
    _l("Aktivitas pengajar"),
    _l("Pelatihan yang diampu, peserta, penyelesaian dan rata-rata evaluasi."),
    (*PERIOD, *PEOPLE, "pelatihan"),
    default_sort="nama",
)

"""Course evaluations: participants' ratings per course (1-5), anonymous below MIN_RESPONSES."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms import charts
from lms.courses.models import Course, CourseVersion
from lms.evaluations.models import CourseEvaluation
from lms.evaluations.services import MIN_RESPONSES
from lms.extensions import db
from lms.reports.definitions.base import PEOPLE, PERIOD, Column, ListReport
from lms.reports.definitions.helpers import (
    evaluations_in_scope,
    quantized,
    section_map,
    too_few,
    valid_ratings,
)
from lms.reports.filters import Filters, Scope


class EvaluationsReport(ListReport):
    def columns(self) -> list[Column]:
        sections, _map = section_map()
        return [
            Column("kode", _l("Kode pelatihan")),
            Column("judul", _l("Judul pelatihan")),
            Column("responden", _l("Responden"), "int"),
            *[Column(f"s_{key}", title, "number") for key, title in sections],
            Column("rata", _l("Rata-rata keseluruhan"), "number"),
        ]

    def _aggregate(self, scope: Scope, f: Filters) -> tuple[dict, dict]:
        sections, section_of = section_map()
        per_course: dict[int, dict] = defaultdict(lambda: defaultdict(list))
        responses: dict[int, int] = defaultdict(int)
        stmt = evaluations_in_scope(scope, f)
        if f.course:
            stmt = stmt.join(Course, Course.id == CourseEvaluation.course_id).where(
                Course.code == f.course
            )
        for course_id, ratings in db.session.execute(stmt.execution_options(yield_per=2000)):
            responses[course_id] += 1
            for key, value in valid_ratings(ratings):
                per_course[course_id][section_of.get(key, "_other")].append(value)
                per_course[course_id]["_all"].append(value)
        for course_id in too_few(responses):
            per_course.pop(course_id, None)
        return per_course, responses

    def build(self, scope: Scope, f: Filters) -> list[list]:
        sections, _map = section_map()
        per_course, responses = self._aggregate(scope, f)
        if not responses:
            return []
        info = {
            cid: (code, title)
            for cid, code, title in db.session.execute(
                select(Course.id, Course.code, CourseVersion.title)
                .outerjoin(CourseVersion, CourseVersion.id == Course.published_version_id)
                .where(Course.id.in_(list(responses)))
            )
        }

        def mean(values: list) -> Decimal | None:
            return quantized(sum(values) / len(values)) if values else None

        rows = []
        for cid, n in responses.items():
            code, title = info.get(cid, ("", ""))
            values = per_course[cid]
            rows.append(
                [
                    code,
                    title,
                    n,
                    *[mean(values.get(key, [])) for key, _t in sections],
                    mean(values.get("_all", [])),
                ]
            )
        rows.sort(key=lambda r: r[0])
        return rows

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        per_course, responses = self._aggregate(scope, f)
        everything = [v for values in per_course.values() for v in values.get("_all", [])]
        return [
            (_("Pelatihan"), len(responses)),
            (_("Responden"), sum(responses.values())),
            (
                _("Rata-rata keseluruhan"),
                quantized(sum(everything) / len(everything)) if everything else None,
            ),
        ]

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        sections, _map = section_map()
        per_course, responses = self._aggregate(scope, f)
        if not responses:
            return []
        pooled: dict[str, list] = defaultdict(list)
        for values in per_course.values():
            for key, items in values.items():
                pooled[key].extend(items)
        labels = [title for _k, title in sections] or [_("Keseluruhan")]
        keys = [key for key, _t in sections] or ["_all"]
        means = [round(sum(pooled[k]) / len(pooled[k]), 2) if pooled.get(k) else None for k in keys]
        return [
            charts.bar_chart(
                _("Rata-rata evaluasi per bagian (skala 1–5)"),
                labels,
                means,
                value_header=_("Rata-rata"),
                label_header=_("Bagian"),
                max_value=5,
            )
        ]


REPORT = EvaluationsReport(
    "evaluations",
    _l("Evaluasi penyelenggaraan"),
    _l(
        "Ringkasan evaluasi peserta per pelatihan (skala 1–5). Rata-rata pelatihan "
        "dengan kurang dari %(n)s responden tidak ditampilkan agar jawaban tetap anonim.",
        n=MIN_RESPONSES,
    ),
    (*PERIOD, *PEOPLE, "pelatihan"),
    default_sort="kode",
    partner_scoped=True,
)

"""Post-training evaluation, one row per alumnus and training: who answered, the means and what
they wrote. Streams like every SQL report (a year of a city's alumni in one CSV)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from lms import charts
from lms.evaluations.followup.models import FollowupAnswer
from lms.extensions import db
from lms.reports.definitions.base import PEOPLE, PERIOD, Column, SqlReport
from lms.reports.definitions.helpers import person_columns
from lms.reports.definitions.post_training import STATUS_LABELS, opened_followups
from lms.reports.filters import Filters, Scope


class PostTrainingAnswersReport(SqlReport):
    def columns(self) -> list[Column]:
        return [
            *person_columns(unit=False, opd=True),
            Column("kode", _l("Kode")),
            Column("judul", _l("Judul")),
            Column("dibuka", _l("Dibuka"), "date"),
            Column("status", _l("Status"), labels=STATUS_LABELS),
            Column("rata_alumni", _l("Rata-rata alumni (1–5)"), "number"),
            Column("berubah_alumni", _l("Yang berubah menurut alumni"), sortable=False),
            Column("hambatan_alumni", _l("Hambatan menurut alumni"), sortable=False),
            Column("rata_atasan", _l("Rata-rata atasan (1–5)"), "number"),
            Column("berubah_atasan", _l("Yang berubah menurut atasan"), sortable=False),
            Column("hambatan_atasan", _l("Hambatan menurut atasan"), sortable=False),
        ]

    def select(self, scope: Scope, f: Filters, lean: bool = False) -> Select:
        sub = opened_followups(scope, f).subquery()
        alumnus, boss = aliased(FollowupAnswer), aliased(FollowupAnswer)
        status = case(
            (alumnus.id.is_not(None) & boss.id.is_not(None), "both"),
            (alumnus.id.is_not(None), "alumnus"),
            (boss.id.is_not(None), "supervisor"),
            else_="none",
        )
        texts = [
            alumnus.texts["changed"].as_string().label("berubah_alumni"),
            alumnus.texts["obstacles"].as_string().label("hambatan_alumni"),
            boss.texts["changed"].as_string().label("berubah_atasan"),
            boss.texts["obstacles"].as_string().label("hambatan_atasan"),
        ]
        stmt = (
            select(
                sub.c.nip.label("nip"),
                sub.c.name.label("nama"),
                sub.c.opd.label("opd"),
                sub.c.code.label("kode"),
                sub.c.title.label("judul"),
                sub.c.due_on.label("dibuka"),
                status.label("status"),
                alumnus.mean.label("rata_alumni"),
                boss.mean.label("rata_atasan"),
                *([] if lean else texts),
                sub.c.id.label("id"),
                sub.c.employee_id.label("employee_id"),
            )
            .outerjoin(alumnus, (alumnus.followup_id == sub.c.id) & (alumnus.role == "alumnus"))
            .outerjoin(boss, (boss.followup_id == sub.c.id) & (boss.role == "supervisor"))
        )
        if f.status in STATUS_LABELS:
            stmt = stmt.where(status == f.status)
        return stmt

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        sub = self.lean(scope, f)
        n, alumni, bosses = db.session.execute(
            select(func.count(), func.count(sub.c.rata_alumni), func.count(sub.c.rata_atasan))
        ).one()
        return [
            (_("Alumni dievaluasi"), n),
            (_("Jawaban alumni"), alumni),
            (_("Jawaban atasan"), bosses),
        ]

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        sub = self.lean(scope, f)
        counts = dict(
            db.session.execute(select(sub.c.status, func.count()).group_by(sub.c.status)).all()
        )
        if not counts:
            return []
        return [
            charts.bar_chart(
                _("Status kuesioner pascapelatihan"),
                [str(label) for label in STATUS_LABELS.values()],
                [int(counts.get(key, 0)) for key in STATUS_LABELS],
                value_header=_("Alumni"),
                label_header=_("Status"),
                height=300,
            )
        ]


REPORT = PostTrainingAnswersReport(
    "post-training-answers",
    _l("Jawaban evaluasi pascapelatihan"),
    _l(
        "Satu baris per alumni dan pelatihan yang kuesionernya sudah dibuka: siapa yang sudah "
        "menjawab, rata-rata jawabannya, dan apa yang berubah serta yang menghambat."
    ),
    (*PERIOD, *PEOPLE, "pelatihan", "program", "status"),
    statuses=STATUS_LABELS,
    default_sort="-dibuka",
)

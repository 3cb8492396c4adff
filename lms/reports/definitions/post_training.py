"""Post-training evaluation (evaluasi pascapelatihan, Kirkpatrick level 3): per course and
programme, per trainer, and per OPD.

Counted are the follow-ups whose questionnaire has opened (due date up to today, not cancelled),
in the reader's scope (the alumnus's current unit or the OPD at completion; a supervisor's direct
reports); the period filters the opening date. A side's figure is the mean of its answers' means
(1–5); the index is the mean of every answer's mean × 20. The answers are not anonymous: they are
evidence in the alumnus's SKP, which every reader of this report may already open (HR in scope,
the direct supervisor), so no figure is withheld; a partner's staff do not read this report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from lms import charts
from lms.auth.models import User
from lms.courses.models import CourseTrainer
from lms.evaluations.followup.models import ROLES, Followup, FollowupAnswer
from lms.evaluations.followup.questions import QUESTIONNAIRES, SCALE
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee, Unit
from lms.reports.definitions.base import PEOPLE, PERIOD, Column, ListReport
from lms.reports.definitions.helpers import filter_people, quantized
from lms.reports.filters import Filters, Scope

SUBJECT_KINDS = {"course": _l("Pelatihan"), "programme": _l("Program")}
CHART_SUBJECTS = 12  # the chart of answer status shows this many subjects, the most alumni first


def opened_followups(scope: Scope, f: Filters, today: date | None = None) -> Select:
    """The opened, not cancelled follow-ups in scope and filters, with the person columns a row
    needs (the alumnus's current unit, the OPD at completion)."""
    today = today or local_today()
    cur, opd = aliased(Unit), aliased(Unit)
    stmt = (
        select(
            Followup.id.label("id"),
            Followup.course_id.label("course_id"),
            Followup.programme_id.label("programme_id"),
            Followup.code.label("code"),
            Followup.title.label("title"),
            Followup.due_on.label("due_on"),
            Followup.closes_on.label("closes_on"),
            Followup.employee_id.label("employee_id"),
            opd.name.label("opd"),
            Employee.nip.label("nip"),
            Employee.full_name.label("name"),
        )
        .join(Employee, Employee.id == Followup.employee_id)
        .join(cur, cur.id == Employee.unit_id)
        .outerjoin(opd, opd.id == Followup.unit_id)
        .where(
            scope.employee_clause(Employee, cur, opd),
            Followup.status == "scheduled",
            Followup.due_on <= today,
        )
    )
    if f.year is not None:
        stmt = stmt.where(
            Followup.due_on >= date(f.year, 1, 1), Followup.due_on <= date(f.year, 12, 31)
        )
    if f.date_from is not None:
        stmt = stmt.where(Followup.due_on >= f.date_from)
    if f.date_to is not None:
        stmt = stmt.where(Followup.due_on <= f.date_to)
    stmt = filter_people(stmt, f, Employee, cur, opd)
    if f.course:
        stmt = stmt.where(Followup.code == f.course, Followup.course_id.is_not(None))
    if f.programme:
        stmt = stmt.where(Followup.code == f.programme, Followup.programme_id.is_not(None))
    return stmt


@dataclass
class Tally:
    """Follow-ups and their answers, for one row (a subject, a trainer, an OPD) or the total."""

    alumni: int = 0
    means: dict[str, list[Decimal]] = field(default_factory=lambda: {r: [] for r in ROLES})
    status: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, answers: dict[str, Decimal]) -> None:
        self.alumni += 1
        for role, mean in answers.items():
            self.means[role].append(mean)
        self.status[answer_status(answers)] += 1

    def answered(self, role: str) -> int:
        return len(self.means[role])

    def mean(self, role: str) -> Decimal | None:
        values = self.means[role]
        return quantized(sum(values) / len(values)) if values else None

    @property
    def index(self) -> Decimal | None:
        values = [v for role in ROLES for v in self.means[role]]
        return quantized(sum(values) * 20 / len(values)) if values else None

    def figures(self) -> list:
        """Alumni, answers of each side, the means of each side, the index."""
        return [
            self.alumni,
            self.answered("alumnus"),
            self.answered("supervisor"),
            self.mean("alumnus"),
            self.mean("supervisor"),
            self.index,
        ]


def answer_status(answers: dict) -> str:
    if len(answers) == len(ROLES):
        return "both"
    if "alumnus" in answers:
        return "alumnus"
    return "supervisor" if answers else "none"


ROLE_SHORT = {"alumnus": _l("Alumni"), "supervisor": _l("Atasan")}
STATUS_LABELS = {
    "both": _l("Dijawab kedua pihak"),
    "alumnus": _l("Hanya alumni"),
    "supervisor": _l("Hanya atasan"),
    "none": _l("Belum dijawab"),
}


def figure_columns() -> list[Column]:
    return [
        Column("alumni", _l("Alumni dievaluasi"), "int"),
        Column("dijawab_alumni", _l("Jawaban alumni"), "int"),
        Column("dijawab_atasan", _l("Jawaban atasan"), "int"),
        Column("rata_alumni", _l("Rata-rata alumni (1–5)"), "number"),
        Column("rata_atasan", _l("Rata-rata atasan (1–5)"), "number"),
        Column("indeks", _l("Indeks penerapan (0–100)"), "number"),
    ]


@dataclass
class Gathered:
    """Every opened follow-up in scope: its facts and its answers (two queries)."""

    rows: list = field(default_factory=list)
    answers: dict[int, dict[str, Decimal]] = field(default_factory=dict)
    ratings: list[tuple[str, dict]] = field(default_factory=list)


def gather(scope: Scope, f: Filters) -> Gathered:
    sub = opened_followups(scope, f).subquery()
    out = Gathered(rows=list(db.session.execute(select(sub))))
    answers = db.session.execute(
        select(
            FollowupAnswer.followup_id,
            FollowupAnswer.role,
            FollowupAnswer.mean,
            FollowupAnswer.ratings,
        ).join(sub, sub.c.id == FollowupAnswer.followup_id)
    )
    for followup_id, role, mean, ratings in answers:
        out.answers.setdefault(followup_id, {})[role] = Decimal(mean)
        out.ratings.append((role, ratings or {}))
    return out


def _subject_key(row) -> tuple[str, int]:
    return (
        ("course", row.course_id) if row.course_id is not None else ("programme", row.programme_id)
    )


class PostTrainingReport(ListReport):
    """One row per course or programme; a summary per OPD; charts of status and answers."""

    def columns(self) -> list[Column]:
        return [
            Column("kode", _l("Kode")),
            Column("judul", _l("Judul")),
            Column("jenis", _l("Jenis")),
            *figure_columns(),
        ]

    def _tallies(self, scope: Scope, f: Filters) -> tuple[dict, dict, Tally, Gathered]:
        found = gather(scope, f)
        subjects: dict[tuple[str, int], tuple[str, str, Tally]] = {}
        opds: dict[str, Tally] = defaultdict(Tally)
        total = Tally()
        for row in sorted(found.rows, key=lambda r: (r.due_on, r.id)):  # the latest title wins
            answers = found.answers.get(row.id, {})
            key = _subject_key(row)
            tally = subjects[key][2] if key in subjects else Tally()
            subjects[key] = (row.code, row.title, tally)
            tally.add(answers)
            opds[row.opd or str(_("(tanpa perangkat daerah)"))].add(answers)
            total.add(answers)
        return subjects, opds, total, found

    def build(self, scope: Scope, f: Filters) -> list[list]:
        subjects, _opds, _total, _found = self._tallies(scope, f)
        rows = [
            [code, title, str(SUBJECT_KINDS[kind]), *tally.figures()]
            for (kind, _id), (code, title, tally) in subjects.items()
        ]
        rows.sort(key=lambda r: (r[0], r[2]))
        return rows

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        subjects, _opds, total, _found = self._tallies(scope, f)

        def rate(role: str) -> Decimal | None:
            return quantized(100 * total.answered(role) / total.alumni) if total.alumni else None

        return [
            (_("Pelatihan dan program"), len(subjects)),
            (_("Alumni dievaluasi"), total.alumni),
            (_("Tingkat jawaban alumni (%)"), rate("alumnus")),
            (_("Tingkat jawaban atasan (%)"), rate("supervisor")),
            (_("Indeks penerapan (0–100)"), total.index),
        ]

    def summary(self, scope: Scope, f: Filters) -> tuple[list[str], list[list]] | None:
        _subjects, opds, _total, _found = self._tallies(scope, f)
        if not opds:
            return None
        headers = [str(_("Perangkat daerah")), *[str(c.header) for c in figure_columns()]]
        return headers, [[name, *tally.figures()] for name, tally in sorted(opds.items())]

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        subjects, _opds, total, found = self._tallies(scope, f)
        if not total.alumni:
            return []
        shown = sorted(subjects.values(), key=lambda s: (-s[2].alumni, s[0]))[:CHART_SUBJECTS]
        status = charts.stacked_bar_chart(
            _("Jawaban kuesioner pascapelatihan per pelatihan"),
            [f"{code} {title}" for code, title, _t in shown],
            {
                str(label): [t.status.get(key, 0) for _c, _n, t in shown]
                for key, label in STATUS_LABELS.items()
            },
            label_header=_("Pelatihan"),
        )
        return [status, item_chart(found)]


def item_chart(found: Gathered) -> charts.Chart:
    """How each statement was answered, alumni's and supervisors' side by side (counts 1–5)."""
    labels: list[str] = []
    counts: list[list[int]] = []
    for role in ROLES:
        questionnaire = QUESTIONNAIRES[role]
        for item in questionnaire.items:
            labels.append(f"{ROLE_SHORT[role]}: {item.short}")
            row = [0] * len(SCALE)
            for answered_role, ratings in found.ratings:
                value = ratings.get(item.key) if answered_role == role else None
                if isinstance(value, int) and 1 <= value <= len(SCALE):
                    row[value - 1] += 1
            counts.append(row)
    return charts.stacked_bar_chart(
        _("Sebaran jawaban per pernyataan"),
        labels,
        {f"{value} {text}": [row[i] for row in counts] for i, (value, text) in enumerate(SCALE)},
        label_header=_("Pernyataan"),
    )


class PostTrainingTrainersReport(ListReport):
    """One row per trainer of the courses followed up (programmes have no trainer of their own)."""

    def columns(self) -> list[Column]:
        return [
            Column("nama", _l("Pengajar")),
            Column("pelatihan", _l("Pelatihan diampu"), "int"),
            *figure_columns(),
        ]

    def build(self, scope: Scope, f: Filters) -> list[list]:
        found = gather(scope, f)
        course_ids = {r.course_id for r in found.rows if r.course_id is not None}
        if not course_ids:
            return []
        taught: dict[int, set[int]] = defaultdict(set)
        for user_id, course_id in db.session.execute(
            select(CourseTrainer.user_id, CourseTrainer.course_id).where(
                CourseTrainer.course_id.in_(course_ids)
            )
        ):
            taught[course_id].add(user_id)
        tallies: dict[int, Tally] = defaultdict(Tally)
        courses_of: dict[int, set[int]] = defaultdict(set)
        for row in found.rows:
            for user_id in taught.get(row.course_id, ()):
                tallies[user_id].add(found.answers.get(row.id, {}))
                courses_of[user_id].add(row.course_id)
        names = dict(
            db.session.execute(
                select(
                    User.id,
                    func.coalesce(
                        Employee.full_name, func.nullif(User.display_name, ""), User.username
                    ),
                )
                .outerjoin(Employee, Employee.id == User.employee_id)
                .where(User.id.in_(list(tallies)))
            ).all()
        )
        rows = [
            [names.get(user_id) or str(user_id), len(courses_of[user_id]), *tally.figures()]
            for user_id, tally in tallies.items()
        ]
        rows.sort(key=lambda r: r[0])
        return rows

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        rows = self.build(scope, f)
        return [(_("Pengajar"), len(rows))]

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        rows = [r for r in self.build(scope, f) if r[-1] is not None]
        if not rows:
            return []
        return [
            charts.bar_chart(
                _("Indeks penerapan per pengajar (0–100)"),
                [r[0] for r in rows],
                [r[-1] for r in rows],
                value_header=_("Indeks"),
                label_header=_("Pengajar"),
                horizontal=True,
                max_value=100,
                whole=False,
            )
        ]


REPORT = PostTrainingReport(
    "post-training",
    _l("Evaluasi pascapelatihan"),
    _l(
        "Penerapan hasil pelatihan di tempat kerja menurut alumni dan atasan langsungnya, per "
        "pelatihan dan program, dengan ringkasan per perangkat daerah. Dihitung dari kuesioner "
        "yang sudah dibuka (periode = tanggal dibuka); rata-rata tiap pihak pada skala 1–5, "
        "indeks = rata-rata semua jawaban × 20."
    ),
    (*PERIOD, *PEOPLE, "pelatihan", "program"),
    default_sort="kode",
)

TRAINERS_REPORT = PostTrainingTrainersReport(
    "post-training-trainers",
    _l("Evaluasi pascapelatihan per pengajar"),
    _l("Penerapan hasil pelatihan di tempat kerja, dikelompokkan menurut pengajar pelatihannya."),
    (*PERIOD, *PEOPLE, "pelatihan"),
    default_sort="nama",
)

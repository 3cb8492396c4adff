"""Programmes and cohorts (angkatan): HR screens, the employees' programme page, nominations,
approvals, and the dashboard sections "Angkatan berjalan" (HR) and "Angkatan saya"."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from lms.courses.models import Course
from lms.db import db_int
from lms.enrolments import bp
from lms.enrolments import cohort_services as cs
from lms.enrolments.cohort_forms import (
    APPROVAL_LABELS,
    AddMemberForm,
    CohortForm,
    DecisionForm,
    NominateForm,
    ProgrammeForm,
)
from lms.enrolments.models import Approval, Cohort, CohortMember, Programme
from lms.enrolments.services import status_label
from lms.extensions import db
from lms.forms import CsrfForm
from lms.indonesian import local_today, number
from lms.main.dashboard import section
from lms.org import queries as org_queries
from lms.org.models import Employee, Golongan, JabatanType, JenisDiklat
from lms.org.nip import normalise_nip
from lms.permissions import Capability, Role, can, refuse, require

C = Capability
PAGE_SIZE = 25


def _jp(programme: Programme) -> Decimal:
    return sum(
        (pc.course.published_version.jp for pc in programme.courses if pc.course.published_version),
        Decimal(0),
    )


def _fmt_jp(value: Decimal) -> str:
    """JP as the reader's language writes it (2,5 in Indonesian)."""
    return number(value)


def _eligibility_text(rule: dict[str, Any] | None, names: dict[str, str]) -> str:
    rule = rule or {}
    parts = [", ".join(names.get(c, c) for c in rule.get("position_types") or [])]
    if rule.get("min_grade"):
        parts.append(_("golongan minimal %(g)s", g=rule["min_grade"]))
    text = "; ".join(p for p in parts if p)
    return text[:1].upper() + text[1:] if text else _("Terbuka untuk semua pegawai")


def _labels() -> dict[str, Any]:
    return {
        "eligibility_text": _eligibility_text,
        "status_label": status_label,
        "approval_labels": APPROVAL_LABELS,
        "course_title": cs.course_title,
        "fmt_jp": _fmt_jp,
    }


def _field_error(form: Any, field: str | None, message: str, default: str) -> None:
    """Attach a service error to the named field (``phases-1`` → that phase row)."""
    name, _sep, index = (field or default).partition("-")
    target = getattr(form, name, None) or getattr(form, default)
    if index.isdigit() and hasattr(target, "entries"):
        entries = target.entries
        target = entries[int(index)] if int(index) < len(entries) else target
        if hasattr(target, "form"):  # a FormField row: show it on the row's name
            target = target.form.name
    target.errors = [*target.errors, message]


# --- programmes -----------------------------------------------------------------------------


@bp.route("/program")
@login_required
def programmes():  # noqa: ANN201
    rows = db.session.scalars(cs.programmes_query().order_by(Programme.title)).all()
    today = local_today()
    return render_template(
        "cohorts/programmes.html",
        rows=rows,
        jp={p.id: _fmt_jp(_jp(p)) for p in rows},
        open_cohorts={p.id: [c for c in p.cohorts if c.ends_on >= today] for p in rows},
        manage=can(current_user, C.MANAGE_COHORTS),
    )


def _programme_form_choices(form: ProgrammeForm, programme: Programme | None) -> None:
    courses = db.session.scalars(
        select(Course)
        .options(joinedload(Course.published_version), selectinload(Course.versions))
        .where(Course.archived.is_(False))
        .order_by(Course.code)
    ).all()
    choices = [("", _("— tidak ada —"))] + [
        (str(c.id), f"{c.code} · {cs.course_title(c)}") for c in courses
    ]
    form.jenis_diklat.choices = [("", "—")] + [
        (str(j.code), f"{j.code} · {j.name}")
        for j in db.session.scalars(select(JenisDiklat).order_by(JenisDiklat.code))
    ]
    if request.method == "GET" and programme is not None:
        for _i in range(len(programme.courses) - len(form.courses)):
            form.courses.append_entry()
        for entry, pc in zip(form.courses, programme.courses, strict=False):
            entry.data = str(pc.course_id)
    filled = sum(1 for entry in form.courses if entry.data)
    for _i in range(max(filled + 2, 6) - len(form.courses)):
        form.courses.append_entry()
    for i, entry in enumerate(form.courses):
        entry.choices = choices
        entry.label.text = _("Pelatihan ke-%(n)s", n=i + 1)


@bp.route("/program/baru", methods=["GET", "POST"])
@bp.route("/program/<programme_code>/ubah", methods=["GET", "POST"])
@require(C.MANAGE_COHORTS)
def programme_edit(programme_code: str | None = None):  # noqa: ANN201
    programme = None
    if programme_code is not None:
        programme = cs.programme_by_code(programme_code)
        if programme is None:
            abort(404)
    form = ProgrammeForm(obj=programme)
    if request.method == "GET" and programme is not None:
        form.jenis_diklat.data = str(programme.jenis_diklat_code or "")
    _programme_form_choices(form, programme)
    if form.validate_on_submit():
        try:
            saved = cs.save_programme(
                programme,
                {
                    "code": form.code.data,
                    "title": form.title.data,
                    "summary": form.summary.data,
                    "jenis_diklat_code": form.jenis_diklat.data,
                },
                [entry.data for entry in form.courses],
            )
        except cs.CohortError as exc:
            db.session.rollback()
            _field_error(form, exc.field, str(exc), "title")
        else:
            db.session.commit()
            flash(_("Program %(t)s tersimpan.", t=saved.title), "success")
            return redirect(url_for("enrolments.programme", programme_code=saved.code))
    return render_template("cohorts/programme_form.html", form=form, programme=programme)


@bp.route("/program/<programme_code>")
@login_required
def programme(programme_code: str):  # noqa: ANN201
    prog = cs.programme_by_code(programme_code)
    if prog is None:
        abort(404)
    manage = can(current_user, C.MANAGE_COHORTS)
    today = local_today()
    cohorts = db.session.scalars(
        select(Cohort)
        .options(selectinload(Cohort.phases))
        .where(Cohort.programme_id == prog.id)
        .order_by(Cohort.starts_on, Cohort.id)
    ).all()
    if not manage:
        cohorts = [c for c in cohorts if c.ends_on >= today]
    counts = cs.member_counts([c.id for c in cohorts])
    employee = current_user.employee
    mine: dict[int, CohortMember] = {}
    team: list[Employee] = []
    if employee is not None and cohorts:
        mine = {
            m.cohort_id: m
            for m in db.session.scalars(
                select(CohortMember).where(
                    CohortMember.employee_id == employee.id,
                    CohortMember.cohort_id.in_([c.id for c in cohorts]),
                )
            )
        }
        if Role.ATASAN in current_user.roles:
            team = org_queries.team_of(employee)
    names = cs.jabatan_type_names()
    checks = {
        c.id: cs.check_join(
            c,
            employee,
            existing=mine.get(c.id),
            taken=cs.seats_used(counts[c.id]),
            today=today,
            type_names=names,
        )
        for c in cohorts
    }
    nominate_forms = {}
    for c in cohorts:
        form = NominateForm(prefix=f"c{c.id}")
        form.employee_id.choices = [(str(e.id), e.display_name) for e in team]
        nominate_forms[c.id] = form
    return render_template(
        "cohorts/programme.html",
        programme=prog,
        cohorts=cohorts,
        counts=counts,
        checks=checks,
        mine=mine,
        team=team,
        nominate_forms=nominate_forms,
        post_form=CsrfForm(),
        type_names=names,
        jp=_fmt_jp(_jp(prog)),
        manage=manage,
        today=today,
        current_phase={c.id: cs.current_phase(c, today) for c in cohorts},
        seats_used=cs.seats_used,
        **_labels(),
    )


# --- cohorts: HR ----------------------------------------------------------------------------


@bp.route("/angkatan")
@require(C.MANAGE_COHORTS)
def cohorts():  # noqa: ANN201
    show = request.args.get("tampil", "berjalan")
    today = local_today()
    stmt = select(Cohort)
    if show != "semua":
        stmt = stmt.where(Cohort.ends_on >= today)
    page = max(request.args.get("page", 1, type=db_int), 1)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        stmt.options(joinedload(Cohort.programme))
        .order_by(Cohort.starts_on, Cohort.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "cohorts/cohorts.html",
        rows=rows,
        counts=cs.member_counts([c.id for c in rows]),
        seats_used=cs.seats_used,
        show=show,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        total=total,
        today=today,
    )


def _cohort_form_choices(form: CohortForm) -> None:
    form.position_types.choices = [
        (t.code, t.name) for t in db.session.scalars(select(JabatanType).order_by(JabatanType.rank))
    ]
    form.min_grade.choices = [("", _("— tanpa syarat golongan —"))] + [
        (g.code, g.label) for g in db.session.scalars(select(Golongan).order_by(Golongan.rank))
    ]
    filled = sum(1 for row in form.phases if row.form.name.data)
    for _i in range(max(filled + 1, 4) - len(form.phases)):
        form.phases.append_entry()
    for i, row in enumerate(form.phases):
        row.form.name.label.text = _("Tahap ke-%(n)s: nama", n=i + 1)
        row.form.starts_on.label.text = _("Tahap ke-%(n)s: mulai", n=i + 1)
        row.form.ends_on.label.text = _("Tahap ke-%(n)s: selesai", n=i + 1)


def _cohort_values(form: CohortForm) -> dict[str, Any]:
    return {
        "code": form.code.data,
        "name": form.name.data,
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on.data,
        "enrol_deadline": form.enrol_deadline.data,
        "quota": form.quota.data,
        "place": form.place.data,
        "approval_steps": form.approval_steps.data or "",
        "position_types": form.position_types.data or [],
        "min_grade": form.min_grade.data or None,
        "phases": [
            {
                "name": row.form.name.data,
                "starts_on": row.form.starts_on.data,
                "ends_on": row.form.ends_on.data,
            }
            for row in form.phases
        ],
    }


def _cohort_form_page(prog: Programme, cohort: Cohort | None):  # noqa: ANN202
    form = CohortForm(obj=cohort)
    if request.method == "GET":
        rule = (cohort.eligibility if cohort else prog.eligibility) or {}
        form.position_types.data = list(rule.get("position_types") or [])
        form.min_grade.data = rule.get("min_grade") or ""
        if cohort is None:
            form.approval_steps.data = "supervisor,hr"
        else:
            for _i in range(len(cohort.phases) - len(form.phases)):
                form.phases.append_entry()
            for row, phase in zip(form.phases, cohort.phases, strict=False):
                row.form.name.data = phase.name
                row.form.starts_on.data = phase.starts_on
                row.form.ends_on.data = phase.ends_on
    _cohort_form_choices(form)
    if form.validate_on_submit():
        try:
            saved = cs.save_cohort(current_user, prog, cohort, _cohort_values(form))
        except cs.CohortError as exc:
            db.session.rollback()
            _field_error(form, exc.field, str(exc), "name")
        else:
            db.session.commit()
            flash(_("Angkatan %(n)s tersimpan.", n=saved.name), "success")
            return redirect(url_for("enrolments.cohort", cohort_code=saved.code))
    return render_template("cohorts/cohort_form.html", form=form, programme=prog, cohort=cohort)


@bp.route("/program/<programme_code>/angkatan/baru", methods=["GET", "POST"])
@require(C.MANAGE_COHORTS)
def cohort_new(programme_code: str):  # noqa: ANN201
    prog = db.session.scalar(select(Programme).where(Programme.code == programme_code))
    if prog is None:
        abort(404)
    return _cohort_form_page(prog, None)


@bp.route("/angkatan/<cohort_code>/ubah", methods=["GET", "POST"])
@require(C.MANAGE_COHORTS)
def cohort_edit(cohort_code: str):  # noqa: ANN201
    cohort = cs.cohort_by_code(cohort_code)
    if cohort is None:
        abort(404)
    return _cohort_form_page(cohort.programme, cohort)


@bp.route("/angkatan/<cohort_code>")
@require(C.MANAGE_COHORTS)
def cohort(cohort_code: str):  # noqa: ANN201
    row = cs.cohort_by_code(cohort_code)
    if row is None:
        abort(404)
    members = cs.cohort_members(row)
    member_ids = {m.employee_id for m in members}
    counts = cs.member_counts([row.id])[row.id]
    names = cs.jabatan_type_names()
    q = request.args.get("q", "")[:100].strip()
    results: list[Employee] = []
    if q:
        results, _total = org_queries.search_employees(current_user, q)
    return render_template(
        "cohorts/cohort.html",
        cohort=row,
        programme=row.programme,
        members=members,
        member_ids=member_ids,
        counts=counts,
        used=cs.seats_used(counts),
        progress=cs.members_progress(row, [m.employee_id for m in members]),
        pending={m.id: cs.pending_step(m) for m in members},
        current=cs.current_phase(row),
        today=local_today(),
        q=q,
        results=results,
        problems={e.id: cs.eligibility_problems(e, row, names) for e in results},
        add_form=AddMemberForm(),
        post_form=CsrfForm(),
        type_names=names,
        **_labels(),
    )


@bp.route("/angkatan/<cohort_code>/peserta", methods=["POST"])
@require(C.MANAGE_COHORTS)
def cohort_add_member(cohort_code: str):  # noqa: ANN201
    row = cs.cohort_by_code(cohort_code)
    if row is None:
        abort(404)
    form = AddMemberForm()
    back = redirect(url_for("enrolments.cohort", cohort_code=row.code))
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errs in form.errors.values() for e in errs), "error")
        return back
    nip = normalise_nip(form.nip.data)
    employee = db.session.scalar(select(Employee).where(Employee.nip == nip))
    if employee is None:
        flash(_("Pegawai dengan NIP %(n)s tidak ditemukan.", n=form.nip.data.strip()), "error")
        return back
    try:
        member = cs.add_member(current_user, row, employee)
    except cs.CohortError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return back
    db.session.commit()
    if member.status == "waitlisted":
        flash(
            _("Kuota penuh: %(n)s dimasukkan ke daftar tunggu.", n=employee.display_name),
            "info",
        )
    else:
        flash(
            _(
                "%(n)s ditambahkan sebagai peserta dan didaftarkan ke pelatihan program.",
                n=employee.display_name,
            ),
            "success",
        )
    return back


# --- joining, approvals, withdrawal ---------------------------------------------------------


@bp.route("/angkatan/<cohort_code>/usulan", methods=["POST"])
@require(C.LEARN)
def cohort_nominate(cohort_code: str):  # noqa: ANN201
    row = cs.cohort_by_code(cohort_code)
    if row is None:
        abort(404)
    form = NominateForm(prefix=f"c{row.id}")
    back = redirect(url_for("enrolments.programme", programme_code=row.programme.code))
    if not form.validate_on_submit():
        flash(_("Permintaan tidak valid. Muat ulang halaman lalu coba lagi."), "error")
        return back
    employee = current_user.employee
    if form.employee_id.data:
        try:
            employee = db.session.get(Employee, int(form.employee_id.data))
        except ValueError:
            employee = None
        if employee is None:
            flash(_("Pegawai yang diusulkan tidak ditemukan."), "error")
            return back
    try:
        member = cs.nominate(current_user, row, employee)
    except cs.CohortError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return back
    db.session.commit()
    messages = {
        "nominated": _("Usulan %(n)s untuk %(c)s terkirim dan menunggu persetujuan."),
        "waitlisted": _("%(n)s masuk daftar tunggu %(c)s."),
        "active": _("%(n)s terdaftar sebagai peserta %(c)s."),
    }
    flash(
        messages.get(member.status, messages["nominated"])
        % {"n": employee.display_name, "c": row.name},
        "success",
    )
    return back


@bp.route("/angkatan/persetujuan")
@require(C.VIEW_TEAM, C.MANAGE_COHORTS)
def cohort_approvals():  # noqa: ANN201
    return render_template(
        "cohorts/approvals.html",
        rows=cs.pending_approvals_for(current_user),
        form=DecisionForm(),
        **_labels(),
    )


@bp.route("/angkatan/persetujuan/<int:cohort_approval_id>", methods=["POST"])
@require(C.LEARN, C.MANAGE_COHORTS)
def cohort_decide(cohort_approval_id: int):  # noqa: ANN201
    approval = db.get_or_404(Approval, cohort_approval_id)
    if approval.cohort_member_id is None:
        abort(404)
    if not cs.can_decide(current_user, approval):
        refuse(approval)
    form = DecisionForm()
    back = redirect(url_for("enrolments.cohort_approvals"))
    if not form.validate_on_submit() or form.decision.data not in ("approve", "reject"):
        flash(_("Pilih setujui atau tolak."), "error")
        return back
    try:
        member = cs.decide(
            current_user, approval, form.decision.data == "approve", form.comment.data or ""
        )
    except cs.CohortError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return back
    db.session.commit()
    flash(
        _(
            "Keputusan tersimpan: %(n)s · %(s)s.",
            n=member.employee.display_name,
            s=status_label(member.status),
        ),
        "success",
    )
    return back


@bp.route("/angkatan/peserta/<int:cohort_member_id>/batal", methods=["POST"])
@require(C.LEARN, C.MANAGE_COHORTS)
def cohort_withdraw(cohort_member_id: int):  # noqa: ANN201
    member = db.get_or_404(CohortMember, cohort_member_id)
    manage = can(current_user, C.MANAGE_COHORTS)
    if not (manage or member.employee_id == current_user.employee_id):
        refuse(member)
    form = CsrfForm()
    if manage:
        back = redirect(url_for("enrolments.cohort", cohort_code=member.cohort.code))
    else:
        back = redirect(
            url_for("enrolments.programme", programme_code=member.cohort.programme.code)
        )
    if not form.validate_on_submit():
        flash(_("Permintaan tidak valid. Muat ulang halaman lalu coba lagi."), "error")
        return back
    try:
        cs.withdraw_member(current_user, member)
    except cs.CohortError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return back
    db.session.commit()
    flash(
        _(
            "%(n)s tidak lagi mengikuti %(c)s.",
            n=member.employee.display_name,
            c=member.cohort.name,
        ),
        "success",
    )
    return back


# --- dashboard sections ---------------------------------------------------------------------


@section(40)
def _hr_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    if not can(user, C.MANAGE_COHORTS):
        return None
    today = local_today()
    rows = cs.running_cohorts(today)
    return "cohorts/_dashboard_hr.html", {
        "rows": rows,
        "counts": cs.member_counts([c.id for c in rows]),
        "pending": len(cs.pending_approvals_for(user)),
        "today": today,
    }


@section(41)
def _my_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    if user.employee is None:
        return None
    memberships = cs.memberships_of(user.employee)
    pending = 0
    if Role.ATASAN in user.roles and not can(user, C.MANAGE_COHORTS):
        pending = len(cs.pending_approvals_for(user))
    if not memberships and not pending:
        return None
    today = local_today()
    return "cohorts/_dashboard_mine.html", {
        "memberships": memberships,
        "pending": pending,
        "phase": {m.cohort_id: cs.current_phase(m.cohort, today) for m in memberships},
        "status_label": status_label,
        "post_form": CsrfForm(),
        "today": today,
    }

"""Programmes and cohorts (angkatan): HR screens and the employees' programme page.

Joining, approvals, withdrawal and the dashboard sections are in ``membership_views``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lms.db import db_int
from lms.enrolments import approvals, bp, seats
from lms.enrolments.cohorts import editing, formdata, page, queries, rules, services
from lms.enrolments.cohorts.forms import (
    AddMemberForm,
    CohortForm,
    ProgrammeForm,
    nominate_form,
)
from lms.enrolments.cohorts.labels import fmt_jp, labels, programme_jp
from lms.enrolments.cohorts.models import Cohort, Programme
from lms.errors import flash_error
from lms.extensions import db
from lms.forms import CsrfForm
from lms.indonesian import local_today
from lms.org import queries as org_queries
from lms.org import search as employee_search
from lms.org.models import Employee
from lms.org.nip import normalise_nip
from lms.permissions import Capability, Role, can, require

C = Capability
PAGE_SIZE = 25


# --- programmes -----------------------------------------------------------------------------


@bp.route("/program")
@login_required
def programmes():
    rows = db.session.scalars(queries.programmes_query().order_by(Programme.title)).all()
    today = local_today()
    return render_template(
        "enrolments/cohorts/programmes.html",
        rows=rows,
        jp={p.id: fmt_jp(programme_jp(p)) for p in rows},
        open_cohorts={p.id: [c for c in p.cohorts if c.ends_on >= today] for p in rows},
        manage=can(current_user, C.MANAGE_COHORTS),
    )


@bp.route("/program/baru", methods=["GET", "POST"])
@bp.route("/program/<programme_code>/ubah", methods=["GET", "POST"])
@require(C.MANAGE_COHORTS)
def programme_edit(programme_code: str | None = None):
    programme = None
    if programme_code is not None:
        programme = queries.programme_by_code(programme_code)
        if programme is None:
            abort(404)
    form = ProgrammeForm(obj=programme)
    formdata.programme_choices(form, programme, fill=request.method == "GET")
    if form.validate_on_submit():
        try:
            saved = editing.save_programme(
                programme, formdata.programme_values(form), [e.data for e in form.courses]
            )
        except rules.CohortError as exc:
            db.session.rollback()
            formdata.field_error(form, exc.field, str(exc), "title")
        else:
            db.session.commit()
            flash(_("Program %(t)s tersimpan.", t=saved.title), "success")
            return redirect(url_for("enrolments.programme", programme_code=saved.code))
    return render_template("enrolments/cohorts/programme_form.html", form=form, programme=programme)


@bp.route("/program/<programme_code>")
@login_required
def programme(programme_code: str):
    prog = queries.programme_by_code(programme_code)
    if prog is None:
        abort(404)
    manage = can(current_user, C.MANAGE_COHORTS)
    today = local_today()
    cohorts = queries.programme_cohorts(prog)
    employee = current_user.employee
    mine = queries.memberships_in(employee, cohorts)
    if not manage:  # running cohorts, and ended ones the employee took part in (their result)
        cohorts = [c for c in cohorts if c.ends_on >= today or c.id in mine]
    counts = seats.counts(seats.COHORT, [c.id for c in cohorts])
    team: list[Employee] = []
    if employee is not None and cohorts and Role.ATASAN in current_user.roles:
        team = org_queries.team_of(employee)
    names = rules.jabatan_type_names()
    return render_template(
        "enrolments/cohorts/programme.html",
        programme=prog,
        cohorts=cohorts,
        counts=counts,
        checks=services.join_checks(cohorts, employee, mine, counts, today, names),
        mine=mine,
        team=team,
        nominate_forms={c.id: nominate_form(c, team) for c in cohorts},
        post_form=CsrfForm(),
        type_names=names,
        jp=fmt_jp(programme_jp(prog)),
        manage=manage,
        today=today,
        current_phase={c.id: queries.current_phase(c, today) for c in cohorts},
        seats_used=seats.used,
        **labels(),
    )


# --- cohorts: HR ----------------------------------------------------------------------------


@bp.route("/angkatan")
@require(C.MANAGE_COHORTS)
def cohorts():
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
        "enrolments/cohorts/cohorts.html",
        rows=rows,
        counts=seats.counts(seats.COHORT, [c.id for c in rows]),
        seats_used=seats.used,
        show=show,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        total=total,
        today=today,
    )


def _cohort_form_page(prog: Programme, cohort: Cohort | None):
    if cohort is not None and cohort.closed_at is not None:
        flash(rules.closed_message(cohort), "error")
        return redirect(url_for("enrolments.cohort", cohort_code=cohort.code))
    form = CohortForm(obj=cohort)
    if request.method == "GET":
        formdata.fill_cohort_form(form, prog, cohort)
    formdata.cohort_choices(form, cohort)
    if form.validate_on_submit():
        try:
            saved = editing.save_cohort(current_user, prog, cohort, formdata.cohort_values(form))
        except rules.CohortError as exc:
            db.session.rollback()
            formdata.field_error(form, exc.field, str(exc), "name")
        else:
            db.session.commit()
            flash(_("Angkatan %(n)s tersimpan.", n=saved.name), "success")
            return redirect(url_for("enrolments.cohort", cohort_code=saved.code))
    return render_template(
        "enrolments/cohorts/cohort_form.html", form=form, programme=prog, cohort=cohort
    )


@bp.route("/program/<programme_code>/angkatan/baru", methods=["GET", "POST"])
@require(C.MANAGE_COHORTS)
def cohort_new(programme_code: str):
    prog = db.session.scalar(select(Programme).where(Programme.code == programme_code))
    if prog is None:
        abort(404)
    return _cohort_form_page(prog, None)


@bp.route("/angkatan/<cohort_code>/ubah", methods=["GET", "POST"])
@require(C.MANAGE_COHORTS)
def cohort_edit(cohort_code: str):
    cohort = queries.cohort_by_code(cohort_code)
    if cohort is None:
        abort(404)
    return _cohort_form_page(cohort.programme, cohort)


@bp.route("/angkatan/<cohort_code>")
@require(C.MANAGE_COHORTS)
def cohort(cohort_code: str):
    row = queries.cohort_by_code(cohort_code)
    if row is None:
        abort(404)
    members = queries.cohort_members(row)
    member_ids = {m.employee_id for m in members}
    counts = seats.counts(seats.COHORT, [row.id])[row.id]
    names = rules.jabatan_type_names()
    q = request.args.get("q", "")[:100].strip()
    results: list[Employee] = []
    if q:
        results, _total = employee_search.search_employees(current_user, q)
    return render_template(
        "enrolments/cohorts/cohort.html",
        cohort=row,
        programme=row.programme,
        members=members,
        member_ids=member_ids,
        counts=counts,
        used=seats.used(counts),
        pending={m.id: approvals.pending_step(m) for m in members},
        current=queries.current_phase(row),
        today=local_today(),
        q=q,
        results=results,
        problems={e.id: rules.eligibility_problems(e, row, names) for e in results},
        add_form=AddMemberForm(),
        post_form=CsrfForm(),
        type_names=names,
        closed_message=rules.closed_message(row),
        **page.cohort_context(row, members),
        **labels(),
    )


@bp.route("/angkatan/<cohort_code>/peserta", methods=["POST"])
@require(C.MANAGE_COHORTS)
def cohort_add_member(cohort_code: str):
    row = queries.cohort_by_code(cohort_code)
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
        member = services.add_member(current_user, row, employee)
    except rules.CohortError as exc:
        flash_error(exc)
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

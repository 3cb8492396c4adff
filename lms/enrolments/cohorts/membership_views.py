"""Joining a cohort, approving nominations, withdrawing, and the dashboard sections
"Angkatan berjalan" (HR) and "Angkatan saya"."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.dashboard import LEARNING, section
from lms.enrolments import approvals, bp, seats
from lms.enrolments.cohorts import queries, rules, services
from lms.enrolments.cohorts.forms import DecisionForm, NominateForm
from lms.enrolments.cohorts.labels import labels
from lms.enrolments.cohorts.models import CohortMember
from lms.enrolments.models import Approval
from lms.enrolments.services import status_label
from lms.errors import flash_error
from lms.extensions import db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.indonesian import local_today
from lms.org.models import Employee
from lms.permissions import Capability, Role, can, refuse, require

C = Capability


# --- joining, approvals, withdrawal ---------------------------------------------------------


@bp.route("/angkatan/<cohort_code>/usulan", methods=["POST"])
@require(C.LEARN)
def cohort_nominate(cohort_code: str):
    row = queries.cohort_by_code(cohort_code)
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
        member = services.nominate(current_user, row, employee)
    except rules.CohortError as exc:
        flash_error(exc)
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
def cohort_approvals():
    return render_template(
        "enrolments/cohorts/approvals.html",
        rows=queries.pending_approvals_for(current_user),
        form=DecisionForm(),
        **labels(),
    )


@bp.route("/angkatan/persetujuan/<int:cohort_approval_id>", methods=["POST"])
@require(C.LEARN, C.MANAGE_COHORTS)
def cohort_decide(cohort_approval_id: int):
    approval = db.get_or_404(Approval, cohort_approval_id)
    if approval.cohort_member_id is None:
        abort(404)
    if not approvals.can_decide(current_user, approval):
        refuse(approval)
    form = DecisionForm()
    back = redirect(url_for("enrolments.cohort_approvals"))
    if not form.validate_on_submit() or form.decision.data not in ("approve", "reject"):
        flash(_("Pilih setujui atau tolak."), "error")
        return back
    try:
        member = services.decide(
            current_user, approval, form.decision.data == "approve", form.comment.data or ""
        )
    except rules.CohortError as exc:
        flash_error(exc)
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


def _withdraw_confirmation(member: CohortMember, back: str) -> Confirmation:
    cohort = member.cohort
    mine = member.employee_id == current_user.employee_id
    name = member.employee.display_name
    consequences = [
        _("Anda tidak lagi mengikuti angkatan ini.")
        if mine
        else _("%(n)s tidak lagi mengikuti angkatan ini dan diberi tahu.", n=name),
        _(
            "Pendaftaran di pelatihan angkatan ini yang belum selesai dibatalkan; pelatihan yang "
            "sudah selesai tetap tercatat."
        ),
    ]
    if member.status == "active":
        consequences.append(_("Kursinya diberikan kepada urutan pertama daftar tunggu."))
    consequences.append(_("Untuk ikut lagi diperlukan usulan atau pendaftaran baru."))
    return Confirmation(
        _("Batalkan keikutsertaan di %(c)s?", c=f"{cohort.programme.title}, {cohort.name}"),
        consequences,
        _("Ya, batalkan keikutsertaan"),
        back,
        [(_("Peserta"), name), (_("Status sekarang"), status_label(member.status))],
    )


@bp.route("/angkatan/peserta/<int:cohort_member_id>/batal", methods=["POST"])
@require(C.LEARN, C.MANAGE_COHORTS)
def cohort_withdraw(cohort_member_id: int):
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
    if member.cohort.closed_at is not None:
        flash(rules.closed_message(member.cohort), "error")
        return back
    if member.status in seats.OPEN_STATES and not confirmed():
        return ask(_withdraw_confirmation(member, back.location))
    try:
        services.withdraw_member(current_user, member)
    except rules.CohortError as exc:
        flash_error(exc)
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


def _hr_tokens(user: Any) -> tuple | None:
    """What "Angkatan berjalan" shows: ``queries.hr_card``'s state (cohorts, programmes, their
    members and approvals) and whose reports' nominations the account counts."""
    if not can(user, C.MANAGE_COHORTS):
        return None
    return (queries.HR_CARD.token(), user.employee_id)


@section(20, wide=True, keep=_hr_tokens)
def _hr_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    if not can(user, C.MANAGE_COHORTS):
        return None
    today = local_today()
    rows, pending = queries.hr_card(user, today)
    return "enrolments/cohorts/_dashboard_hr.html", {
        "rows": rows,
        "pending": pending,
        "today": today,
    }


def _pending_tokens(user: Any) -> tuple | None:
    """What a supervisor's count of cohort nominations reads: cohort approvals, members and
    supervisors (``queries.HR_CARD`` names their state: HR's card counts the same rows). None
    for anyone else: their section is empty, at no cost."""
    if Role.ATASAN not in user.roles:
        return None
    return (queries.HR_CARD.token(),)


@section(15, keep=_pending_tokens)
def _supervisor_pending_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    """A supervisor's cohort nominations waiting for them (HR sees them in its cohort section)."""
    if Role.ATASAN not in user.roles or can(user, C.MANAGE_COHORTS):
        return None
    pending = queries.pending_approvals_count(user)
    if not pending:
        return None
    return "enrolments/cohorts/_dashboard_pending.html", {"pending": pending}


@section(40, part=LEARNING, wide=True)
def _my_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    if user.employee is None or not queries.is_member(user.employee_id):
        return None
    memberships = queries.memberships_of(user.employee)
    if not memberships:
        return None
    today = local_today()
    return "enrolments/cohorts/_dashboard_mine.html", {
        "memberships": memberships,
        "phase": {m.cohort_id: queries.current_phase(m.cohort, today) for m in memberships},
        "status_label": status_label,
        "post_form": CsrfForm(),
        "today": today,
    }

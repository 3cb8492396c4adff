"""Non-classroom session screens: the employee's sessions and logging, the coach's logging for a
coachee, one session (with the decision of whoever the form's rule lets confirm), the review
list of supervisors, coaches and HR, the evidence file."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.careers import bp
from lms.careers.errors import CareerError, RecordInvalid
from lms.careers.records import evidence as evidence_files
from lms.careers.scope import PAGE_SIZE
from lms.careers.sessions import queries, services
from lms.careers.sessions.coaching import services as coaching
from lms.careers.sessions.forms import CoachSessionForm, DecisionForm, SessionForm
from lms.careers.sessions.models import LearningSession
from lms.careers.sessions.rules import recognise, rule_for, rules
from lms.careers.view_helpers import (
    apply_errors,
    current_employee,
    decision,
    evidence_download,
    page_arg,
    page_count,
)
from lms.db import db_int
from lms.errors import flash_error
from lms.extensions import db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.indonesian import local_today
from lms.org.models import Employee
from lms.permissions import Capability, refuse, require

C = Capability
SEE = (C.LEARN, C.COACH, C.VIEW_TEAM, C.VERIFY_RECORDS)
LABELS = {
    "status": services.STATUS_LABELS,
    "confirmer": services.CONFIRMER_LABELS,
    "limit": services.LIMIT_LABELS,
}


@bp.app_template_global("session_labels")
def _session_labels() -> dict[str, dict]:
    return LABELS


def _visible(learning_session_id: int) -> LearningSession:
    session = db.session.get(LearningSession, learning_session_id)
    if session is None:
        abort(404)
    if not services.can_see(current_user, session):
        refuse(session)
    return session


def _logged_by_me(learning_session_id: int) -> LearningSession:
    session = db.session.get(LearningSession, learning_session_id)
    if session is None:
        abort(404)
    if session.logged_by_id != current_user.id:
        refuse(session)
    return session


def _input(form: SessionForm | CoachSessionForm, **coach) -> services.SessionInput:
    """The form's values; for a coach's form, ``coach_id`` and ``plan_id`` come from the view."""
    own = isinstance(form, SessionForm)
    return services.SessionInput(
        form_code=form.form_code.data,
        held_on=form.held_on.data,
        minutes=form.minutes.data,
        topic=form.topic.data or "",
        agreed=form.agreed.data or "",
        competency_kind=form.competency_kind.data or "",
        coach_user_id=form.coach_user_id.data if own else coach.get("coach_id"),
        coach_name=(form.coach_name.data or "") if own else "",
        plan_id=form.plan_id.data if own else coach.get("plan_id"),
    )


def _uploaded(form) -> evidence_files.Evidence | None:
    """The checked upload, None when none was sent; a refusal lands on the field."""
    upload = form.evidence.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    try:
        return evidence_files.check(upload.filename, evidence_files.read_upload(upload.stream))
    except evidence_files.EvidenceRefused as exc:
        form.evidence.errors = [*list(form.evidence.errors), str(exc)]
        return None


def _fill(form, session: LearningSession | None, employee: Employee | None) -> None:
    form.form_code.choices = [(None, _("— pilih bentuk —"))] + [
        (code, _("%(n)s (kode SIASN %(c)s)", n=rule.name, c=code)) for code, rule in rules().items()
    ]
    if isinstance(form, SessionForm) and employee is not None:
        keep = session.coach_user_id if session else None
        form.coach_user_id.choices = [(None, _("— tidak ada / tulis namanya —"))] + list(
            queries.coach_accounts(employee, keep)
        )
        plan = queries.open_plan_of(employee.id)
        form.plan_id.choices = [(None, _("— tidak terkait rencana —"))] + (
            [(plan.id, _("Rencana pendampingan %(f)s", f=rule_for(plan.form_code).name))]
            if plan and rule_for(plan.form_code)
            else []
        )
        if request.method == "GET" and session is None:
            form.plan_id.data = plan.id if plan else None
            form.form_code.data = (
                plan.form_code if plan else request.args.get("bentuk", type=db_int)
            )
    if request.method == "GET" and session is None:
        form.held_on.data = local_today()


def _save(form, employee: Employee, session: LearningSession | None, **kw):
    """Validate, save, commit and redirect; or None (errors are on the form or flashed)."""
    if not form.validate_on_submit():
        return None
    evidence = _uploaded(form)
    data = _input(form, **kw)
    if form.evidence.errors:
        rule = rule_for(data.form_code)
        apply_errors(form, services.validate_session(data, rule, local_today()))
        return None
    try:
        saved = services.save_session(
            employee, data, current_user, evidence, session, kw.get("allowed")
        )
    except RecordInvalid as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return None
    except CareerError as exc:
        db.session.rollback()
        flash_error(exc)
        return None
    db.session.commit()
    flash(_("Sesi %(t)s tersimpan dan menunggu konfirmasi.", t=saved.topic), "success")
    if saved.employee_id == current_user.employee_id:
        return redirect(url_for("careers.sessions"))
    return redirect(url_for("careers.session_view", learning_session_id=saved.id))


def _form_page(form, session: LearningSession | None, coach: bool = False):
    status = 422 if request.method == "POST" else 200
    template = "careers/sessions/coach_form.html" if coach else "careers/sessions/form.html"
    return render_template(template, form=form, session=session, rules=rules()), status


# --- the employee --------------------------------------------------------------------------------


@bp.route("/sesi")
@require(C.LEARN)
def sessions():
    me = current_employee()
    sessions = queries.sessions_of(me.id)
    plan = queries.open_plan_of(me.id)
    on_plan = [s for s in sessions if plan is not None and s.plan_id == plan.id]
    return render_template(
        "careers/sessions/my.html",
        sessions=sessions,
        plan=plan,
        plan_progress_of=coaching.progress(plan.sessions_planned, on_plan) if plan else None,
        waiting=queries.waiting_count(current_user),
        coaching=bool(queries.coachees_of(current_user)),
        rules=rules(),
        form=CsrfForm(),
    )


@bp.route("/sesi/catat", methods=["GET", "POST"])
@require(C.LEARN)
def session_new():
    me = current_employee()
    form = SessionForm()
    _fill(form, None, me)
    return _save(form, me, None) or _form_page(form, None)


# --- the coach -----------------------------------------------------------------------------------


def _coach_form(session: LearningSession | None) -> tuple[CoachSessionForm, dict[int, Employee]]:
    form = CoachSessionForm(obj=session if request.method == "GET" else None)
    coachees = {e.id: e for e in queries.coachees_of(current_user)}
    if session is not None:
        coachees = {session.employee_id: session.employee}
        if request.method == "GET":
            form.on_plan.data = session.plan_id is not None
    form.employee_id.choices = [(None, _("— pilih pegawai —"))] + [
        (e.id, f"{e.display_name} · {e.unit.name if e.unit else ''}") for e in coachees.values()
    ]
    _fill(form, session, None)
    return form, coachees


def _coach_save(form: CoachSessionForm, coachees: dict, session: LearningSession | None):
    if not form.is_submitted():
        return None
    employee = coachees.get(form.employee_id.data)
    if employee is None:
        form.validate()  # the other fields' problems too, in one round trip
        form.employee_id.errors = [*form.employee_id.errors, _("Pilih pegawai yang didampingi.")]
        return None
    plan = queries.open_plan_of(employee.id) if form.on_plan.data else None
    return _save(
        form,
        employee,
        session,
        coach_id=current_user.id,
        plan_id=plan.id if plan else None,
        allowed={current_user.id},
    )


@bp.route("/sesi/dampingi", methods=["GET", "POST"])
@require(C.COACH)
def session_coach_new():
    form, coachees = _coach_form(None)
    return _coach_save(form, coachees, None) or _form_page(form, None, coach=True)


# --- one session ---------------------------------------------------------------------------------


@bp.route("/sesi/<int:learning_session_id>/ubah", methods=["GET", "POST"])
@require(C.LEARN, C.COACH)
def session_edit(learning_session_id: int):
    session = _logged_by_me(learning_session_id)
    if not session.open:
        flash(_("Sesi ini sudah diputuskan dan tidak dapat diubah lagi."), "error")
        return redirect(url_for("careers.session_view", learning_session_id=session.id))
    if session.employee_id != current_user.employee_id:
        form, coachees = _coach_form(session)
        return _coach_save(form, coachees, session) or _form_page(form, session, coach=True)
    form = SessionForm(obj=session if request.method == "GET" else None)
    _fill(form, session, session.employee)
    return _save(form, session.employee, session) or _form_page(form, session)


@bp.route("/sesi/<int:learning_session_id>/tarik", methods=["POST"])
@require(C.LEARN, C.COACH)
def session_withdraw(learning_session_id: int):
    session = _logged_by_me(learning_session_id)
    back = url_for("careers.session_view", learning_session_id=session.id)
    if session.open and not confirmed():
        return ask(
            Confirmation(
                _("Tarik sesi %(t)s?", t=session.topic),
                [_("Sesi ini tidak lagi menunggu konfirmasi dan tidak menghasilkan JP.")],
                _("Ya, tarik sesi"),
                back,
            )
        )
    try:
        services.withdraw(session)
    except CareerError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(_("Sesi %(t)s ditarik.", t=session.topic), "success")
    return redirect(back)


@bp.route("/sesi/<int:learning_session_id>", methods=["GET", "POST"])
@require(*SEE)
def session_view(learning_session_id: int):
    session = _visible(learning_session_id)
    roles = services.capacities(current_user, session)
    form = DecisionForm()
    if request.method == "POST":
        if not roles:
            refuse(session)
        here = url_for("careers.session_view", learning_session_id=session.id)
        done = decision(
            form,
            yes=form.confirm,
            no=form.send_back,
            note=form.reason,
            choose=_("Pilih Konfirmasi atau Kembalikan."),
            decide=lambda yes, reason: services.decide(session, current_user, yes, reason),
            message=lambda: (
                _("Sesi %(t)s dikonfirmasi.", t=session.topic)
                if session.status == "confirmed"
                else _("Sesi %(t)s dikembalikan.", t=session.topic)
            ),
            refused_url=here,
            done_url=url_for("careers.session_review"),
        )
        if done is not None:
            return done
    rule = rule_for(session.form_code)
    so_far = (
        services.recognised_so_far(session) if roles and session.status == "submitted" else None
    )
    return render_template(
        "careers/sessions/session.html",
        s=session,
        rule=rule,
        roles=roles,
        form=form,
        action_form=CsrfForm(),
        so_far=so_far,
        preview=recognise(session.minutes, rule, *so_far) if so_far and rule else None,
    ), 422 if request.method == "POST" else 200


@bp.route("/sesi/<int:learning_session_id>/bukti")
@require(*SEE)
def session_evidence(learning_session_id: int):
    session = _visible(learning_session_id)
    return evidence_download(session.evidence_key, session.evidence_name)


# --- review --------------------------------------------------------------------------------------


@bp.route("/sesi/periksa")
@require(C.COACH, C.VIEW_TEAM, C.VERIFY_RECORDS)
def session_review():
    status = request.args.get("status", "mine")
    if status not in queries.REVIEW_FILTERS:
        status = "mine"
    page = page_arg()
    items, total = queries.review_list(current_user, status, page)
    return render_template(
        "careers/sessions/review.html",
        items=items,
        total=total,
        page=page,
        pages=page_count(total, PAGE_SIZE),
        status=status,
        rules=rules(),
    )

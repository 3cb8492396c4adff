"""The implementation and the assessment: logbook entries with evidence and the mentor's
decision, the evidence download, the organiser's seminar, the assessors' rubric."""

from __future__ import annotations

import io

from flask import abort, flash, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from lms.errors import DomainError, flash_error
from lms.extensions import db
from lms.indonesian import from_local, local_wall_time
from lms.leadership import bp
from lms.leadership.projects import assessment, evidence, logbook, page, rubric, services
from lms.leadership.projects.forms import DecisionForm, EntryForm, SeminarForm, assessment_form
from lms.leadership.projects.models import EvidenceFile, LogEntry
from lms.leadership.projects.queries import trainer_accounts
from lms.leadership.projects.services import ProjectError
from lms.leadership.projects.views import ANY_PROJECT_ROLE, back
from lms.leadership.roles.access import MENTOR, ORGANISER, PARTICIPANT, assessor_role
from lms.permissions import Capability, require
from lms.storage import StorageError, get_storage

C = Capability


def _entry(entry_id: int, *wanted: str) -> tuple[LogEntry, frozenset[str]]:
    entry = db.session.get(LogEntry, entry_id)
    if entry is None:
        abort(404)
    member, roles = page.load(current_user, entry.project.member_id, *wanted)
    return entry, roles


def _uploads(form: EntryForm, required: bool) -> list | None:
    """The checked files, or None with the refusal on the field."""
    files = [f for f in (form.files.data or []) if getattr(f, "filename", "")]
    try:
        return evidence.check_all(
            [(f.filename, evidence.read_upload(f.stream)) for f in files], required
        )
    except evidence.EvidenceRefused as exc:
        form.files.errors = [*form.files.errors, str(exc)]
        return None


def _entry_page(form: EntryForm, project, entry: LogEntry | None, member_id: int):
    form.milestone.choices = [(m.id, m.title) for m in project.milestones]
    if form.validate_on_submit():
        checked = _uploads(form, required=entry is None)
        if checked is not None:
            values = logbook.EntryInput(form.milestone.data, form.done_on.data, form.activity.data)
            try:
                if entry is None:
                    logbook.add_entry(project, values, checked)
                else:
                    logbook.revise_entry(entry, values, checked)
            except ProjectError as exc:
                db.session.rollback()
                page.field_error(form, exc, "activity")
            else:
                db.session.commit()
                flash(_("Catatan pelaksanaan dikirim ke mentor untuk dikonfirmasi."), "success")
                return back(member_id)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "project": project, "entry": entry, "member": project.member}
    return render_template("leadership/entry_form.html", **context), status


@bp.route("/proyek/<int:member_id>/catatan/baru", methods=["GET", "POST"])
@require(C.LEARN)
def entry_new(member_id: int):
    member, _roles = page.load(current_user, member_id, PARTICIPANT)
    project = services.project_of(member)
    if project is None or project.state not in logbook.OPEN_FOR_ENTRIES:
        flash(_("Catatan pelaksanaan dapat diisi setelah rancangan disetujui."), "error")
        return back(member_id)
    return _entry_page(EntryForm(), project, None, member_id)


@bp.route("/proyek/catatan/<int:entry_id>/ubah", methods=["GET", "POST"])
@require(C.LEARN)
def entry_edit(entry_id: int):
    entry, _roles = _entry(entry_id, PARTICIPANT)
    member_id = entry.project.member_id
    if entry.state != "returned":
        flash(_("Hanya catatan yang dikembalikan mentor yang dapat diperbaiki."), "error")
        return back(member_id)
    form = EntryForm(obj=entry if request.method == "GET" else None)
    if request.method == "GET":
        form.milestone.data = entry.milestone_id
    return _entry_page(form, entry.project, entry, member_id)


@bp.route("/proyek/catatan/<int:entry_id>/keputusan", methods=["POST"])
@require(C.MENTOR_PROJECTS)
def entry_decide(entry_id: int):
    entry, _roles = _entry(entry_id, MENTOR)
    form = DecisionForm(prefix=f"e{entry.id}")
    if not (form.confirm.data or form.send_back.data) or not form.validate_on_submit():
        flash(_("Pilih konfirmasi atau kembalikan."), "error")
        return back(entry.project.member_id)
    try:
        logbook.decide_entry(entry, current_user, bool(form.confirm.data), form.comment.data)
    except ProjectError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(
            _("Catatan dikonfirmasi.") if form.confirm.data else _("Catatan dikembalikan."),
            "success",
        )
    return back(entry.project.member_id)


@bp.route("/proyek/bukti/<int:evidence_id>")
@require(*ANY_PROJECT_ROLE)
def evidence_file(evidence_id: int):
    row = db.session.get(EvidenceFile, evidence_id)
    if row is None:
        abort(404)
    page.load(current_user, row.entry.project.member_id)
    try:
        data = get_storage().read(row.storage_key)
    except (OSError, StorageError):
        abort(404)
    return send_file(
        io.BytesIO(data),
        mimetype=row.mimetype,
        as_attachment=True,
        download_name=row.filename,
        max_age=0,
    )


@bp.route("/proyek/<int:member_id>/seminar", methods=["GET", "POST"])
@require(C.ORGANISE_COHORTS)
def seminar_schedule(member_id: int):
    member, _roles = page.load(current_user, member_id, ORGANISER)
    project = services.project_of(member)
    if project is None or project.state not in ("implementing", "seminar_scheduled"):
        flash(_("Seminar dijadwalkan setelah pelaksanaan berjalan."), "error")
        return back(member_id)
    seminar = project.seminar
    form = SeminarForm(obj=seminar if request.method == "GET" else None)
    trainers = trainer_accounts()
    form.examiners.choices = [(u.id, u.name) for u in trainers]
    if request.method == "GET" and seminar is not None:
        form.starts_at.data = local_wall_time(seminar.starts_at)
        form.examiners.data = [u.id for u in assessment.examiners_of(project)]
    if form.validate_on_submit():
        chosen = [u for u in trainers if u.id in set(form.examiners.data or [])]
        try:
            assessment.schedule_seminar(
                project, current_user, from_local(form.starts_at.data), form.place.data, chosen
            )
        except DomainError as exc:  # the project's rules, or the examiners' (roles)
            db.session.rollback()
            page.field_error(form, exc, "starts_at")
        else:
            db.session.commit()
            flash(_("Seminar dijadwalkan; peserta dan penguji diberi tahu."), "success")
            return back(member_id)
    status = 422 if request.method == "POST" else 200
    context = {
        "form": form,
        "project": project,
        "member": member,
        "done": logbook.progress(project),
    }
    return render_template("leadership/seminar_form.html", **context), status


@bp.route("/proyek/<int:member_id>/seminar/selesai", methods=["POST"])
@require(C.ORGANISE_COHORTS)
def seminar_held(member_id: int):
    member, _roles = page.load(current_user, member_id, ORGANISER)
    project = services.project_of(member)
    if project is None:
        return back(member_id)
    try:
        assessment.mark_held(project, current_user)
    except ProjectError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(
            _(
                "Seminar tercatat telah diselenggarakan; coach, mentor, dan penguji diminta "
                "menilai."
            ),
            "success",
        )
    return back(member_id)


@bp.route("/proyek/<int:member_id>/penilaian", methods=["GET", "POST"])
@require(C.COACH_PROJECTS, C.MENTOR_PROJECTS, C.EXAMINE_PROJECTS)
def assess(member_id: int):
    member, roles = page.load(current_user, member_id, "coach", "mentor", "examiner")
    project = services.project_of(member)
    role = assessor_role(roles)
    if (
        project is None
        or project.state != "seminar_held"
        or (role, current_user.id) not in assessment.pending_assessors(project)
    ):
        flash(_("Tidak ada penilaian yang menunggu Anda untuk proyek ini."), "error")
        return back(member_id)
    used = rubric.rubric_for(project.kind)
    form = assessment_form(used.criteria)
    if form.validate_on_submit():
        scores = {c.code: getattr(form, f"score_{c.code}").data for c in used.criteria}
        try:
            assessment.assess(project, current_user, role, scores, form.comment.data)
        except ProjectError as exc:
            db.session.rollback()
            page.field_error(form, exc, "comment")
        else:
            db.session.commit()
            flash(_("Penilaian tersimpan."), "success")
            return back(member_id)
    status = 422 if request.method == "POST" else 200
    context = {
        "form": form,
        "project": project,
        "member": member,
        "rubric": used,
        "role": role,
        **page.labels(),
    }
    return render_template("leadership/assess_form.html", **context), status

"""The organiser's cohort pages (phase progress, marks, closing) and the participant's own view
of their phases and result. The organiser is BKPSDM or the partner institution organising the
cohort (``permissions.organises_cohort``); HR's cohort page shows the same grid (``_grid_part``)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.completion import bp
from lms.completion.programmes import closing, progress
from lms.completion.programmes.forms import PhaseMarksForm
from lms.completion.programmes.rules import PROJECT_STATE_LABELS, SOURCE_LABELS
from lms.completion.services import CompletionError
from lms.db import db_int
from lms.enrolments.cohorts import marks
from lms.enrolments.cohorts import queries as cohort_queries
from lms.enrolments.cohorts.kinds import PHASE_KIND_LABELS, PROJECT_KIND_LABELS
from lms.enrolments.cohorts.models import Cohort
from lms.enrolments.cohorts.page import cohort_part
from lms.enrolments.cohorts.rules import CohortError, closed_message
from lms.enrolments.services import status_label
from lms.errors import flash_error
from lms.extensions import db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.indonesian import local_today
from lms.org.queries import agency_organiser
from lms.permissions import Capability, organises_cohort, partner_scope, refuse, require

C = Capability


def _organised(cohort_code: str) -> Cohort:
    cohort = cohort_queries.cohort_by_code(cohort_code)
    if cohort is None:
        abort(404)
    if not organises_cohort(current_user, cohort):
        refuse(cohort)
    return cohort


def _labels(cohort: Cohort) -> dict[str, Any]:
    partner = cohort.organiser_partner
    return {
        "kind": cohort.programme.kind,
        "organiser": partner.name if partner is not None else agency_organiser(),
        "phase_kind_labels": PHASE_KIND_LABELS,
        "project_kind_labels": PROJECT_KIND_LABELS,
        "status_label": status_label,
        "today": local_today(),
        **_grid_labels(),
    }


def _grid_labels() -> dict[str, Any]:
    return {"source_labels": SOURCE_LABELS, "project_state_labels": PROJECT_STATE_LABELS}


@cohort_part
def _grid_part(cohort: Cohort, members: list) -> dict[str, Any]:
    """HR's cohort page shows the participant × phase grid too."""
    return {"phase_grid": progress.cohort_progress(cohort, members), **_grid_labels()}


@bp.route("/angkatan/penyelenggaraan")
@require(C.ORGANISE_COHORTS)
def organised_cohorts():
    rows = cohort_queries.organised_cohorts(partner_scope(current_user))
    return render_template(
        "completion/programmes/organised.html", rows=rows, agency=agency_organiser()
    )


@bp.route("/angkatan/<cohort_code>/kemajuan")
@require(C.ORGANISE_COHORTS)
def cohort_organiser(cohort_code: str):
    cohort = _organised(cohort_code)
    grid = progress.cohort_progress(cohort)
    kind = cohort.programme.kind
    return render_template(
        "completion/programmes/organiser.html",
        cohort=cohort,
        grid=grid,
        markable=[p for p in cohort.phases if not marks.project_bound(p, grid.project)],
        marked=marks.marks_of(cohort),
        refusal=closing.refusal(cohort),
        closed_message=closed_message(cohort),
        form=CsrfForm(),
        project=kind.project if kind else None,
        **_labels(cohort),
    )


@bp.route("/angkatan/<cohort_code>/kehadiran", methods=["POST"])
@require(C.ORGANISE_COHORTS)
def cohort_marks(cohort_code: str):
    cohort = _organised(cohort_code)
    back = redirect(url_for("completion.cohort_organiser", cohort_code=cohort.code))
    form = PhaseMarksForm()
    try:
        phase_id = db_int(form.phase.data or "")
        member_ids = [db_int(v) for v in form.members.data or []]
    except ValueError:
        phase_id, member_ids = 0, []
    if not form.validate_on_submit() or not phase_id:
        flash(_("Permintaan tidak valid. Muat ulang halaman lalu coba lagi."), "error")
        return back
    try:
        added, removed = marks.set_marks(current_user, cohort, phase_id, member_ids)
    except CohortError as exc:
        db.session.rollback()
        flash_error(exc)
        return back
    db.session.commit()
    flash(
        _("Tanda tahap tersimpan: %(a)s ditambahkan, %(r)s dihapus.", a=added, r=removed),
        "success",
    )
    return back


def _close_confirmation(cohort: Cohort, back: str) -> Confirmation:
    preview = closing.preview(cohort)
    return Confirmation(
        _("Tutup %(c)s?", c=f"{cohort.programme.title}, {cohort.name}"),
        [
            _(
                "%(n)s peserta lulus: hasil, nilai, dan kualifikasi dicatat, dan kelulusan program "
                "(dengan sertifikatnya) dibuat.",
                n=preview.passed,
            ),
            _(
                "%(n)s peserta tidak lulus: dicatat apa yang belum terpenuhi; tanpa sertifikat.",
                n=preview.failed,
            ),
            _("Setelah ditutup, peserta, tahapan, dan kehadiran tidak dapat diubah lagi."),
        ],
        _("Ya, tutup angkatan"),
        back,
        [(_("Angkatan"), cohort.name), (_("Peserta aktif"), str(len(preview.verdicts)))],
    )


@bp.route("/angkatan/<cohort_code>/tutup", methods=["POST"])
@require(C.ORGANISE_COHORTS)
def cohort_close(cohort_code: str):
    cohort = _organised(cohort_code)
    back = redirect(url_for("completion.cohort_organiser", cohort_code=cohort.code))
    if not CsrfForm().validate_on_submit():
        flash(_("Permintaan tidak valid. Muat ulang halaman lalu coba lagi."), "error")
        return back
    if cohort.closed_at is not None:
        flash(_("Angkatan ini sudah ditutup sebelumnya; tidak ada yang berubah."), "info")
        return back
    refused = closing.refusal(cohort)
    if refused is not None:
        flash(refused, "error")
        return back
    if not confirmed():
        return ask(_close_confirmation(cohort, back.location))
    try:
        done = closing.close_cohort(current_user, cohort)
    except CompletionError as exc:
        db.session.rollback()
        flash_error(exc)
        return back
    db.session.commit()
    flash(
        _("Angkatan ditutup: %(p)s lulus, %(f)s tidak lulus.", p=done.passed, f=done.failed),
        "success",
    )
    return back


@bp.route("/angkatan/<cohort_code>/saya")
@require(C.LEARN)
def my_cohort(cohort_code: str):
    cohort = cohort_queries.cohort_by_code(cohort_code)
    if cohort is None:
        abort(404)
    member = cohort_queries.memberships_in(current_user.employee, [cohort]).get(cohort.id)
    row = progress.member_progress(member) if member is not None else None
    if row is None:
        refuse(cohort)
    return render_template(
        "completion/programmes/mine.html",
        cohort=cohort,
        member=member,
        row=row,
        **_labels(cohort),
    )

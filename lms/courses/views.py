"""Catalogue, course page, self-enrolment and withdrawal."""

from __future__ import annotations

import re
from dataclasses import astuple
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from lms.courses import bp, fragments, page, queries
from lms.courses import cache as course_cache
from lms.courses.models import COMPETENCY_KIND_LABELS, COMPETENCY_KINDS, DELIVERY_MODES
from lms.db import db_int
from lms.enrolments import services as enrolments
from lms.enrolments.models import Enrolment
from lms.errors import flash_error
from lms.extensions import db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.indonesian import number
from lms.permissions import Capability, refuse, require

KIND_LABELS = COMPETENCY_KIND_LABELS
MODE_LABELS = {"e-learning": "E-learning", "classroom": "Klasikal", "blended": "Blended"}


def _decimal(name: str, label: Any, problems: dict[str, str]) -> Decimal | None:
    """A JP bound from the query string; a value that is not a number of 0 or more is named in
    ``problems`` (under the field) instead of being dropped without a word."""
    raw = request.args.get(name, "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not 0 <= value < 10_000:
        problems[name] = _("%(f)s harus berupa angka dari 0 sampai 9999.", f=label)
        return None
    return value


def _jp_filter(problems: dict[str, str]) -> tuple[Decimal | None, Decimal | None]:
    """The JP range asked for; a minimum above the maximum is pointed out on both fields
    (it can match nothing), and the search does not run."""
    low = _decimal("jp_min", _l("JP minimal"), problems)  # lazy: translated only when named
    high = _decimal("jp_max", _l("JP maksimal"), problems)
    if low is not None and high is not None and low > high:
        problems["jp_min"] = _(
            "JP minimal (%(a)s) lebih besar daripada JP maksimal (%(b)s), jadi tidak ada "
            "pelatihan yang dapat cocok. Tukar atau ubah salah satunya.",
            a=number(low),
            b=number(high),
        )
        problems["jp_max"] = ""
    return low, high


@bp.route("/pelatihan")
@login_required
def catalogue():
    f = queries.CatalogueFilter(
        q=request.args.get("q", "")[:100].strip(),
        category_id=request.args.get("kategori", type=db_int),
        competency_kind=request.args.get("kompetensi", "")
        if request.args.get("kompetensi") in COMPETENCY_KINDS
        else "",
        delivery_mode=request.args.get("moda", "")
        if request.args.get("moda") in DELIVERY_MODES
        else "",
        page=max(request.args.get("page", 1, type=db_int), 1),
    )
    problems: dict[str, str] = {}
    f.jp_min, f.jp_max = _jp_filter(problems)
    if problems:  # shows what was typed: built for this request only
        segments = _catalogue_segments(f, problems)
    else:
        segments = course_cache.cached(
            "catalogue", astuple(f), lambda: _catalogue_segments(f, problems)
        )
    mine = {}
    ids = [part for part in segments if isinstance(part, int)]
    if current_user.employee_id and ids:
        mine = queries.enrolment_map(current_user.employee_id, ids)
    return render_template("courses/catalogue.html", segments=segments, mine=mine)


_CHIP = re.compile(r"<!--chip:(\d+)-->")


def _catalogue_segments(f: queries.CatalogueFilter, problems: dict[str, str]) -> tuple:
    """The catalogue's body for ``f`` as text with each listed course's id where the
    learner's own state goes (the same for everyone, so kept in the cache)."""
    rows, total = queries.catalogue(f) if not problems else ([], 0)
    html = render_template(
        "courses/_catalogue_body.html",
        rows=rows,
        total=total,
        f=f,
        categories=course_cache.cached("categories", (), queries.category_choices),
        kinds=KIND_LABELS,
        modes=MODE_LABELS,
        problems=problems,
        pages=max((total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1),
    )
    parts = _CHIP.split(html)
    return tuple(int(part) if i % 2 else part for i, part in enumerate(parts))


class CoursePage(NamedTuple):
    """What the course page shows the same way to every learner (kept by lms.courses.cache): the
    published course's head, the shared parts split at their marks (lms.courses.fragments) for a
    learner who takes part (``learning``, with links) and for anyone else (``public``), the
    place of each lesson in the outline by key (its ``done.N`` mark), how many modules there are
    and the done chip in the language."""

    head: queries.CourseHead
    public: fragments.Parts
    learning: fragments.Parts
    index: dict[str, int]
    modules: int
    chip: str


#: The marks course.html fills itself (the rest are done chips, filled by the view).
_SLOTS = frozenset(("enrol", "seats", "packages", "syllabus"))


def _course_page(code: str) -> CoursePage | None:
    head = queries.course_head_values(code)
    if head is None:
        return None
    c = queries.course_head(code)
    outline = course_cache.cached(
        "outline", (head.published_version_id,), lambda: queries.outline(head.published_version_id)
    )
    context = {
        "course": c,
        "version": c.published_version,
        "outline": outline,
        "kinds": KIND_LABELS,
        "modes": MODE_LABELS,
    }
    public, learning = (
        fragments.split(render_template("courses/_course_body.html", learning=flag, **context))
        for flag in (False, True)
    )
    lessons = [lesson for module in outline for lesson in module.lessons]
    index = {lesson.key: i for i, lesson in enumerate(lessons)}
    chip = Markup('<span class="chip ok">{}</span>').format(_("selesai"))
    return CoursePage(head, public, learning, index, len(outline), str(chip))


@bp.route("/pelatihan/<code>")
@login_required
def course(code: str):
    shared = course_cache.cached("course", (code.upper(),), lambda: _course_page(code))
    if shared is None:
        abort(404)
    c, employee = shared.head, current_user.employee
    enrolment = queries.enrolment_of(c.id, employee.id) if employee is not None else None
    left = enrolments.seats_left(c)
    check = enrolments.check_self_enrol(
        c, employee, existing=enrolment, left=left, existing_known=True
    )
    done = page.learner_context(enrolment).get("done", set()) if enrolment is not None else set()
    learning = enrolment is not None and enrolment.status in ("active", "completed")
    chips = {f"done.{shared.index[k]}": shared.chip for k in done if k in shared.index}
    return render_template(
        "courses/course.html",
        course=c,
        body=fragments.fill(shared.learning if learning else shared.public, chips, _SLOTS),
        modules=shared.modules,
        enrolment=enrolment,
        check=check,
        seats_left=left,
        done=done,
        status_label=enrolments.status_label,
    )


@bp.route("/pelatihan/<code>/daftar", methods=["POST"])
@require(Capability.LEARN)
def enrol(code: str):
    c = queries.course_by_code(code)
    if c is None or c.published_version is None:
        abort(404)
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        enrolment = enrolments.enrol_self(current_user, c)
    except enrolments.EnrolmentError as exc:
        flash_error(exc)
        return redirect(url_for("courses.course", code=c.code))
    db.session.commit()
    messages = {
        "active": _("Anda terdaftar. Selamat belajar!"),
        "waitlisted": _(
            "Kelas penuh: Anda masuk daftar tunggu dan akan dipindahkan otomatis saat ada kursi kosong."
        ),
        "nominated": _("Usulan Anda terkirim dan menunggu persetujuan."),
    }
    flash(messages.get(enrolment.status, _("Pendaftaran tersimpan.")), "success")
    return redirect(url_for("courses.course", code=c.code))


def _withdraw_confirmation(enrolment: Enrolment) -> Confirmation:
    course = enrolment.course
    title = course.published_version.title if course.published_version else course.code
    consequences = {
        "nominated": [
            _("Usulan Anda ditarik; persetujuan yang sudah diberikan tidak berlaku lagi.")
        ],
        "waitlisted": [_("Anda keluar dari daftar tunggu dan kehilangan urutan Anda.")],
        "active": [
            _("Anda tidak lagi terdaftar dan tidak dapat membuka pelajaran pelatihan ini."),
            _("Bila kursi terbatas, kursi Anda diberikan kepada urutan pertama daftar tunggu."),
        ],
    }[enrolment.status]
    consequences.append(_("Kemajuan belajar Anda tetap tersimpan bila Anda mendaftar lagi."))
    return Confirmation(
        _("Batalkan pendaftaran %(t)s?", t=title),
        consequences,
        _("Ya, batalkan pendaftaran"),
        url_for("courses.course", code=course.code),
        [(_("Status sekarang"), enrolments.status_label(enrolment.status))],
    )


@bp.route("/pendaftaran/<int:enrolment_id>/batal", methods=["POST"])
@require(Capability.LEARN)
def withdraw(enrolment_id: int):
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    if enrolment.employee_id != current_user.employee_id:
        refuse(enrolment)
    if not CsrfForm().validate_on_submit():
        abort(400)
    code = enrolment.course.code
    if enrolment.status in ("nominated", "waitlisted", "active") and not confirmed():
        return ask(_withdraw_confirmation(enrolment))
    try:
        enrolments.withdraw(current_user, enrolment, _("Dibatalkan oleh peserta."))
    except enrolments.EnrolmentError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(_("Pendaftaran dibatalkan."), "success")
    return redirect(url_for("courses.course", code=code))

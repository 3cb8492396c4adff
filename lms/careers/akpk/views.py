"""AKPK screens: the needs of a year, the agency plan built from them, its items and their
decision, the plan against what happened, and its exports."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.careers import bp
from lms.careers.akpk import exports, queries, realisation, services
from lms.careers.akpk.forms import DecisionForm, ItemForm
from lms.careers.akpk.item_form import fill_choices, from_group, from_item, input_of, load_item
from lms.careers.akpk.models import AgencyPlanItem
from lms.careers.akpk.needs import SOURCES
from lms.careers.akpk.rupiah import rupiah
from lms.careers.errors import CareerError, RecordInvalid
from lms.careers.view_helpers import apply_errors, commit_or_flash, decision, hr_or_403, page_arg
from lms.courses.models import COMPETENCY_KINDS
from lms.db import db_int
from lms.errors import flash_error
from lms.extensions import db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.indonesian import local_today
from lms.org.models import Unit
from lms.permissions import Capability, refuse, require, unit_in_scope

C = Capability
bp.add_app_template_filter(rupiah, "rupiah")


def _year(year: int) -> int:
    """A plan's year: from 2000 up to next year (a plan is written ahead); else 404."""
    hr_or_403()
    if not 2000 <= year <= local_today().year + 1:
        abort(404)
    return year


def _plan_url(year: int, anchor: str = "") -> str:
    return url_for("careers.akpk_plan", akpk_year=year) + anchor


@bp.route("/kelola/akpk")
@require(C.PROPOSE_DEVELOPMENT)
def akpk_index():
    hr_or_403()
    this = local_today().year
    rows = queries.overview([this + 1, this, this - 1], current_user)
    return render_template("careers/akpk/index.html", rows=rows, labels=services.PLAN_STATUS_LABELS)


def _needs_filters() -> tuple[Unit | None, str | None, str | None]:
    unit = None
    unit_id = request.args.get("unit", type=db_int)
    if unit_id:
        unit = db.session.get(Unit, unit_id)
        if unit is None:
            abort(404)
        if not unit_in_scope(current_user, unit):
            refuse(unit)
    source = request.args.get("sumber") if request.args.get("sumber") in SOURCES else None
    kind = request.args.get("jenis") if request.args.get("jenis") in COMPETENCY_KINDS else None
    return unit, source, kind


@bp.route("/kelola/akpk/<int:akpk_year>/kebutuhan")
@require(C.PROPOSE_DEVELOPMENT)
def akpk_needs(akpk_year: int):
    year = _year(akpk_year)
    unit, source, kind = _needs_filters()
    page = page_arg()
    view = queries.needs_view(current_user, year, unit, source, kind, page)
    return render_template(
        "careers/akpk/needs.html",
        year=year,
        view=view,
        unit=unit,
        source=source,
        kind=kind,
        page=page,
        pages=max((len(view.groups) + queries.NEEDS_PAGE_SIZE - 1) // queries.NEEDS_PAGE_SIZE, 1),
        opds=services.opd_choices(current_user),
        planner=services.is_planner(current_user),
        source_labels=services.SOURCE_LABELS,
    )


@bp.route("/kelola/akpk/<int:akpk_year>")
@require(C.PROPOSE_DEVELOPMENT)
def akpk_plan(akpk_year: int):
    year = _year(akpk_year)
    plan = services.plan_of(year)
    items = queries.items_of(plan, current_user)
    lines, total = queries.by_opd(items)
    return render_template(
        "careers/akpk/plan.html",
        year=year,
        plan=plan,
        items=items,
        lines=lines,
        total=total,
        planner=services.is_planner(current_user),
        can_edit=lambda item: services.can_edit_item(current_user, item),
        action_form=CsrfForm(),
        decision_form=DecisionForm(),
        **_labels(),
    )


def _labels() -> dict:
    return {
        "plan_labels": services.PLAN_STATUS_LABELS,
        "item_labels": services.ITEM_STATUS_LABELS,
        "form_labels": services.FORM_LABELS,
        "schedule": services.schedule_label,
    }


def _save(form: ItemForm, year: int, item: AgencyPlanItem | None) -> Response | None:
    """Validate and save; a redirect when saved (or refused), None to show the form again."""
    if not form.validate_on_submit():
        return None
    try:
        saved = services.save_item(services.ensure_plan(year), item, input_of(form), current_user)
    except RecordInvalid as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return None
    except CareerError as exc:
        flash_error(exc)
        return redirect(_plan_url(year))
    title = saved.title
    db.session.commit()
    flash(_("Kegiatan %(t)s disimpan.", t=title), "success")
    return redirect(_plan_url(year, f"#butir-{saved.id}"))


def _render_form(form: ItemForm, year: int, item: AgencyPlanItem | None):
    status = 422 if request.method == "POST" else 200
    return render_template(
        "careers/akpk/item_form.html",
        form=form,
        year=year,
        item=item,
        **fill_choices(form, year, current_user),
    ), status


@bp.route("/kelola/akpk/<int:akpk_year>/butir-baru", methods=["GET", "POST"])
@require(C.PROPOSE_DEVELOPMENT)
def akpk_item_new(akpk_year: int):
    year = _year(akpk_year)
    plan = services.plan_of(year)
    if plan is not None and not plan.editable:
        flash(
            _("Rencana %(y)s sudah ditetapkan; buka kembali untuk menambah kegiatan.", y=year),
            "error",
        )
        return redirect(_plan_url(year))
    form = ItemForm()
    if request.method == "GET":
        from_group(form, current_user, year, request.args)
    return _save(form, year, None) or _render_form(form, year, None)


@bp.route("/kelola/akpk/butir/<int:akpk_item_id>/ubah", methods=["GET", "POST"])
@require(C.PROPOSE_DEVELOPMENT)
def akpk_item_edit(akpk_item_id: int):
    item = load_item(current_user, akpk_item_id)
    if not services.can_edit_item(current_user, item):
        flash(_("Kegiatan ini tidak dapat diubah lagi."), "error")
        return redirect(_plan_url(item.plan.year))
    form = ItemForm()
    if request.method == "GET":
        from_item(form, item)
    return _save(form, item.plan.year, item) or _render_form(form, item.plan.year, item)


@bp.route("/kelola/akpk/butir/<int:akpk_item_id>/hapus", methods=["POST"])
@require(C.PROPOSE_DEVELOPMENT)
def akpk_item_delete(akpk_item_id: int):
    item = load_item(current_user, akpk_item_id)
    year = item.plan.year
    if not confirmed():
        return ask(
            Confirmation(
                _("Hapus kegiatan %(t)s dari rencana %(y)s?", t=item.title, y=year),
                [
                    _("Kegiatan ini dan daftar peserta bernamanya dihapus dari rencana."),
                    _("Kebutuhan yang dijawabnya tampil lagi sebagai belum direncanakan."),
                ],
                _("Ya, hapus kegiatan"),
                _plan_url(year, f"#butir-{item.id}"),
                [(_("Kegiatan"), item.title), (_("Jadwal"), services.schedule_label(item))],
            )
        )
    commit_or_flash(lambda: services.delete_item(item, current_user), _("Kegiatan dihapus."))
    return redirect(_plan_url(year))


@bp.route("/kelola/akpk/butir/<int:akpk_item_id>/keputusan", methods=["POST"])
@require(C.PLAN_DEVELOPMENT)
def akpk_item_decide(akpk_item_id: int):
    item = load_item(current_user, akpk_item_id)
    form = DecisionForm()
    url = _plan_url(item.plan.year, f"#butir-{item.id}")
    done = decision(
        form,
        yes=form.accept,
        no=form.reject,
        note=form.note,
        choose=_("Pilih Terima atau Tolak."),
        decide=lambda accept, note: services.decide_item(item, current_user, accept, note),
        message=lambda: services.ITEM_STATUS_LABELS[item.status] + ": " + item.title,
        refused_url=url,
        done_url=url,
    )
    if done is None:
        flash(" ".join(str(e) for e in form.note.errors) or _("Keputusan tidak valid."), "error")
        return redirect(url)
    return done


@bp.route("/kelola/akpk/<int:akpk_year>/tetapkan", methods=["POST"])
@require(C.PLAN_DEVELOPMENT)
def akpk_plan_approve(akpk_year: int):
    plan = services.plan_of(_year(akpk_year))
    if plan is None or not plan.editable:
        flash(_("Tidak ada rencana draf untuk ditetapkan."), "error")
        return redirect(_plan_url(akpk_year))
    if not confirmed():
        return ask(
            Confirmation(
                _("Tetapkan rencana pengembangan kompetensi %(y)s?", y=plan.year),
                [
                    _("Kegiatan yang diterima menjadi rencana tahun %(y)s.", y=plan.year),
                    _(
                        "Rencana dikunci: kegiatan tidak dapat ditambah, diubah atau dihapus, dan perangkat daerah tidak dapat mengusulkan lagi sampai rencana dibuka kembali."
                    ),
                ],
                _("Ya, tetapkan rencana"),
                _plan_url(plan.year),
            )
        )
    commit_or_flash(
        lambda: services.approve_plan(plan, current_user),
        _("Rencana %(y)s ditetapkan.", y=plan.year),
    )
    return redirect(_plan_url(plan.year))


@bp.route("/kelola/akpk/<int:akpk_year>/buka", methods=["POST"])
@require(C.PLAN_DEVELOPMENT)
def akpk_plan_reopen(akpk_year: int):
    plan = services.plan_of(_year(akpk_year))
    if plan is None or plan.editable:
        flash(_("Rencana ini belum ditetapkan."), "error")
        return redirect(_plan_url(akpk_year))
    if not confirmed():
        return ask(
            Confirmation(
                _("Buka kembali rencana %(y)s?", y=plan.year),
                [
                    _(
                        "Penetapan rencana dibatalkan; kegiatan dapat diubah lagi dan perangkat daerah dapat mengusulkan lagi."
                    )
                ],
                _("Ya, buka kembali"),
                _plan_url(plan.year),
            )
        )
    commit_or_flash(
        lambda: services.reopen_plan(plan, current_user),
        _("Rencana %(y)s dibuka kembali.", y=plan.year),
    )
    return redirect(_plan_url(plan.year))


@bp.route("/kelola/akpk/<int:akpk_year>/realisasi")
@require(C.PROPOSE_DEVELOPMENT)
def akpk_realisation(akpk_year: int):
    year = _year(akpk_year)
    plan = services.plan_of(year)
    items = [i for i in queries.items_of(plan, current_user) if i.status == "accepted"]
    progress = realisation.realisation(items, year)
    return render_template(
        "careers/akpk/realisation.html",
        year=year,
        plan=plan,
        progress=progress,
        total=realisation.totals(progress),
        chart=realisation.quarter_chart(progress, year) if progress else None,
        **_labels(),
    )


@bp.route("/kelola/akpk/<int:akpk_year>/rencana.<any(xlsx, pdf):akpk_fmt>")
@require(C.PROPOSE_DEVELOPMENT)
def akpk_export(akpk_year: int, akpk_fmt: str):
    year = _year(akpk_year)
    data = exports.build(current_user, year, services.plan_of(year))
    body = exports.xlsx_bytes(data) if akpk_fmt == "xlsx" else exports.pdf_bytes(data)
    name = f"akpk-{year}.{akpk_fmt}"
    return Response(
        body,
        mimetype=exports.MIMETYPES[akpk_fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

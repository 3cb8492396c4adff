"""Reports: the index, one page per report, its exports and background export jobs.

Thin views: the scope comes from the user (``Scope.for_user``), the filters from the query string
(a unit outside the scope → 403), and every page, sort and export runs the same scoped query.
"""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms import spreadsheets
from lms.extensions import db
from lms.forms import CsrfForm
from lms.org import queries as org_queries
from lms.org.models import Golongan, JabatanType
from lms.permissions import Capability, refuse, require
from lms.reports import bp, exports
from lms.reports.definitions import KIND_LABELS, REPORTS, default_year
from lms.reports.filters import OutOfScope, Scope, parse
from lms.reports.models import ExportJob
from lms.reports.tasks import start_export
from lms.storage import get_storage

C = Capability
READERS = (C.VIEW_REPORTS, C.VIEW_PARTNER_REPORTS)
NAMES = ", ".join(f"'{key}'" for key in REPORTS)
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _context(report_name: str):
    report = REPORTS[report_name]
    scope = Scope.for_user(current_user)
    if scope.partner_id is not None and not report.partner_scoped:
        refuse(status=404)  # a partner's staff read only the reports of their courses
    try:
        filters = parse(request.args, scope, default_year=default_year(report))
    except OutOfScope:
        refuse(status=403)
    if filters.sort and filters.sort.lstrip("-") not in report.sort_keys():
        filters.sort = ""  # only whitelisted columns sort
    return report, scope, filters


def _scope_label(scope: Scope) -> str:
    return exports.scope_label(scope, current_user)


def _filename(report_name: str, fmt: str, filters, suffix: str = "") -> str:
    year = f"-{filters.year}" if filters.year else ""
    return f"laporan-{report_name}{year}{suffix}.{fmt}"


def _csv_dialect() -> spreadsheets.CsvDialect:
    """The ``dialek`` asked for, else the reader's: Indonesian UI, Indonesian Excel (``;``)."""
    asked = spreadsheets.CSV_DIALECTS.get(request.args.get("dialek", ""))
    return asked or spreadsheets.csv_dialect_for(get_locale())


def _options(scope: Scope, unit_id: int | None) -> dict:
    return {
        "units": org_queries.unit_options("" if scope.everything else scope.path, unit_id),
        "golongan": list(db.session.scalars(select(Golongan).order_by(Golongan.rank))),
        "jabatan_types": list(db.session.scalars(select(JabatanType).order_by(JabatanType.rank))),
        "kinds": KIND_LABELS,
    }


@bp.route("/laporan")
@require(*READERS)
def index():
    partner = Scope.for_user(current_user).partner_id is not None
    reports = [r for r in REPORTS.values() if r.partner_scoped or not partner]
    return render_template("reports/index.html", reports=reports)


@bp.route(f"/laporan/<any({NAMES}):report_name>")
@require(*READERS)
def report(report_name: str):
    report, scope, filters = _context(report_name)
    if _defers(report):
        page = report.page(scope, filters, defer=True)
    else:
        page = report.page(scope, filters)
    return render_template(
        "reports/report.html",
        report=report,
        columns=report.columns(),
        result=page,
        filters=filters,
        args=filters.query_args(),
        scope_label=_scope_label(scope),
        export_form=CsrfForm(),
        **_options(scope, filters.unit_id),
    )


def _defers(report) -> bool:
    """Rows first, figures fetched by the page's script (``report_figures``): off in tests by
    default (``REPORTS_DEFER_OVERVIEW``) and with ``?hitung=1`` (the link shown without JS)."""
    enabled = current_app.config.get("REPORTS_DEFER_OVERVIEW", not current_app.testing)
    return report.deferred_overview and enabled and not request.args.get("hitung")


@bp.route(f"/laporan/<any({NAMES}):report_name>/ringkasan")
@require(*READERS)
def report_figures(report_name: str):
    """A page's totals, charts, row count and pager as HTML for ``static/js/report-figures.js``
    (the same filters, scope and cache as the page); ``stale``: kept figures from before the
    latest data, computed again in the background (the script asks again a little later)."""
    report, scope, filters = _context(report_name)
    result = report.figures(scope, filters, exact=bool(request.args.get("hitung")))
    html = render_template(
        "reports/_figures.html",
        report=report,
        result=result,
        args=filters.query_args(),
    )
    response = jsonify({"html": html, "stale": result.as_of is not None})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(f"/laporan/<any({NAMES}):report_name>.<any(csv, xlsx, pdf):report_fmt>")
@require(*READERS)
def export(report_name: str, report_fmt: str):
    report, scope, filters = _context(report_name)
    name = _filename(report_name, report_fmt, filters)
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if report_fmt == "csv":
        dialect = _csv_dialect()
        name = _filename(report_name, report_fmt, filters, dialect.suffix)
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        body = stream_with_context(exports.csv_chunks(report, scope, filters, dialect))
        return Response(body, mimetype=MIMETYPES["csv"], headers=disposition)
    if report_fmt == "xlsx":
        limit = current_app.config.get("REPORTS_XLSX_INLINE_MAX", 20_000)
        total = report.count(scope, filters)
        if total > limit:
            return render_template(
                "reports/export_large.html",
                report=report,
                total=total,
                limit=limit,
                args=filters.query_args(),
                export_form=CsrfForm(),
            )
        data = exports.xlsx_bytes(report, scope, filters)
        return Response(data, mimetype=MIMETYPES["xlsx"], headers=disposition)
    data = exports.pdf_bytes(report, scope, filters, scope_label=_scope_label(scope))
    return Response(data, mimetype=MIMETYPES["pdf"], headers=disposition)


@bp.route(f"/laporan/<any({NAMES}):report_name>/ekspor", methods=["POST"])
@require(*READERS)
def export_start(report_name: str):
    _report, _scope, filters = _context(report_name)
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    fmt = "pdf" if request.args.get("format") == "pdf" else "xlsx"
    job = start_export(current_user.id, report_name, filters, fmt)
    db.session.commit()
    flash(_("Ekspor sedang disiapkan. Halaman ini menampilkan kemajuannya."), "info")
    return redirect(url_for("reports.export_job", export_id=job.id))


def _own_job(export_id: int) -> ExportJob:
    job = db.get_or_404(ExportJob, export_id)
    if job.owner_id != current_user.id:
        refuse(job)
    return job


def _status(job: ExportJob) -> dict:
    ready = job.status == "done" and not job.is_expired()
    return {
        "id": job.id,
        "status": job.status,
        "progress": job.progress,
        "rows": job.rows_written,
        "total": job.total_rows,
        "expired": job.is_expired(),
        "error": job.error if job.status == "failed" else "",
        "download_url": url_for("reports.export_download", export_id=job.id) if ready else None,
    }


@bp.route("/laporan/ekspor/<int:export_id>")
@require(*READERS)
def export_job(export_id: int):
    job = _own_job(export_id)
    report = REPORTS.get(job.report)
    return render_template("reports/job.html", job=job, report=report, status=_status(job))


@bp.route("/laporan/ekspor/<int:export_id>/status")
@require(*READERS)
def export_status(export_id: int):
    response = jsonify(_status(_own_job(export_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/laporan/ekspor/<int:export_id>/unduh")
@require(*READERS)
def export_download(export_id: int):
    job = _own_job(export_id)
    if job.status != "done" or not job.file_key:
        abort(404)
    path = get_storage().path(job.file_key)
    if job.is_expired() or not path.exists():
        return render_template("reports/expired.html", job=job), 410
    return send_file(
        path,
        mimetype=MIMETYPES[job.format],
        as_attachment=True,
        download_name=f"laporan-{job.report}-{job.id}.{job.format}",
    )

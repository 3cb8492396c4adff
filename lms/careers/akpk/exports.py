"""The plan as files: XLSX (XlsxWriter through ``lms.spreadsheets``: strings never become
formulas) and PDF (WeasyPrint with the reports' fetcher: only ``data:`` URLs and files under
``lms/static``, nothing from the network or elsewhere on disk).

Both carry what the user sees (BKPSDM: every OPD; an Admin OPD: their own): the accepted items,
the sums per OPD, the realisation, the named participants and the proposals still open or
declined. Budgets are Rupiah written the Indonesian way in the PDF, and Rupiah-formatted
numbers in the XLSX.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select

from lms import spreadsheets
from lms.auth.models import User
from lms.careers.akpk import queries, realisation, services
from lms.careers.akpk.models import AgencyPlan, AgencyPlanItem
from lms.careers.scope import scope_path
from lms.charts import Chart
from lms.courses.models import COMPETENCY_KIND_LABELS
from lms.extensions import db
from lms.indonesian import local_zone
from lms.org.models import Instansi
from lms.reports.exports import STATIC_DIR, url_fetcher

MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
RUPIAH_FORMAT = '"Rp"#,##0'


@dataclass
class ExportData:
    year: int
    plan: AgencyPlan | None
    items: list[AgencyPlanItem]
    others: list[AgencyPlanItem]
    lines: list[queries.OpdLine]
    total: queries.OpdLine
    progress: list[realisation.Progress]
    done: realisation.Totals
    chart: Chart | None
    instansi: str
    scope_label: str
    generated: datetime = field(default_factory=lambda: datetime.now(UTC).astimezone(local_zone()))


def build(user: User, year: int, plan: AgencyPlan | None) -> ExportData:
    seen = queries.items_of(plan, user)
    items = [i for i in seen if i.status == "accepted"]
    lines, total = queries.by_opd(items)
    progress = realisation.realisation(items, year)
    instansi = db.session.scalar(select(Instansi.name).order_by(Instansi.id).limit(1)) or ""
    path = scope_path(user)
    label = (
        _("Semua perangkat daerah")
        if path == ""
        else (user.admin_unit.name if user.admin_unit else "")
    )
    return ExportData(
        year,
        plan,
        items,
        [i for i in seen if i.status != "accepted"],
        lines,
        total,
        progress,
        realisation.totals(progress),
        realisation.quarter_chart(progress, year) if progress else None,
        instansi,
        label,
    )


def _opd(item: AgencyPlanItem) -> str:
    return item.unit.name if item.unit is not None else _("Lintas perangkat daerah")


def _kind(item: AgencyPlanItem) -> str:
    return str(COMPETENCY_KIND_LABELS.get(item.competency_kind, item.competency_kind))


def _form(item: AgencyPlanItem) -> str:
    form = str(services.FORM_LABELS[item.form])
    return _("%(f)s baru", f=form) if item.is_new else form


def _item_row(n: int, item: AgencyPlanItem) -> list[Any]:
    return [
        n,
        item.title,
        _form(item),
        _opd(item),
        item.competency,
        _kind(item),
        item.jabatan_level.name if item.jabatan_level else _("Semua jenjang"),
        item.target_count,
        len(item.participants),
        item.jp,
        item.total_jp,
        services.quarter_label(item.quarter),
        item.month or None,
        item.budget,
        item.note,
    ]


def _sheet(
    book: Any, name: str, headers: list[str], widths: list[int], money: set[int] = frozenset()
) -> spreadsheets.SafeSheet:
    sheet = spreadsheets.SafeSheet(book, name, headers, widths)
    fmt = book.add_format({"num_format": RUPIAH_FORMAT})
    for c in money:
        sheet.sheet.set_column(c, c, widths[c], fmt)
    return sheet


def xlsx_bytes(data: ExportData) -> bytes:
    buffer = io.BytesIO()
    book = spreadsheets.workbook(buffer)
    headers = [
        _("No"), _("Kegiatan"), _("Bentuk"), _("Perangkat daerah"), _("Kompetensi"),
        _("Jenis kompetensi"), _("Jenjang jabatan"), _("Target peserta"), _("Peserta bernama"),
        _("JP per peserta"), _("Total JP"), _("Triwulan"), _("Bulan"), _("Anggaran (Rp)"),
        _("Catatan"),
    ]  # fmt: skip
    widths = [5, 40, 16, 30, 32, 16, 18, 10, 10, 10, 10, 12, 8, 18, 30]
    sheet = _sheet(book, _("Rencana %(y)s", y=data.year), headers, widths, {13})
    for n, item in enumerate(data.items, start=1):
        sheet.write_row(n, _item_row(n, item))
    sheet.write_row(
        len(data.items) + 1,
        [
            None,
            _("Jumlah"),
            *[None] * 5,
            data.total.participants,
            None,
            None,
            data.total.jp,
            None,
            None,
            data.total.budget,
        ],
    )
    opd = _sheet(
        book, _("Per perangkat daerah"),
        [_("Perangkat daerah"), _("Kegiatan"), _("Target peserta"), _("Total JP"), _("Anggaran (Rp)")],
        [40, 10, 14, 12, 18], {4},
    )  # fmt: skip
    for r, line in enumerate([*data.lines, data.total], start=1):
        opd.write_row(r, [line.name, line.items, line.participants, line.jp, line.budget])
    done = _sheet(
        book, _("Realisasi"),
        [_("Kegiatan"), _("Perangkat daerah"), _("Target peserta"), _("Terdaftar"), _("Selesai"),
         _("Capaian (%)"), _("JP direncanakan"), _("JP terealisasi")],
        [40, 30, 14, 12, 12, 12, 16, 16],
    )  # fmt: skip
    for r, p in enumerate(data.progress, start=1):
        done.write_row(
            r,
            [
                p.item.title,
                _opd(p.item),
                p.item.target_count,
                p.enrolled,
                p.completed,
                p.percent,
                p.item.total_jp,
                p.jp,
            ],
        )
    named = _sheet(
        book,
        _("Peserta bernama"),
        [_("Kegiatan"), _("NIP"), _("Nama"), _("Unit kerja")],
        [40, 22, 32, 40],
    )
    r = 0
    for item in data.items:
        for p in item.participants:
            r += 1
            named.write_row(
                r, [item.title, p.employee.nip, p.employee.display_name, p.employee.unit.name]
            )
    if data.others:
        others = _sheet(
            book, _("Usulan"),
            [_("Kegiatan"), _("Perangkat daerah"), _("Status"), _("Target peserta"), _("Anggaran (Rp)"), _("Catatan keputusan")],
            [40, 30, 14, 14, 18, 40], {4},
        )  # fmt: skip
        for r, item in enumerate(data.others, start=1):
            others.write_row(
                r,
                [
                    item.title,
                    _opd(item),
                    str(services.ITEM_STATUS_LABELS[item.status]),
                    item.target_count,
                    item.budget,
                    item.decision_note,
                ],
            )
    book.close()
    return buffer.getvalue()


def pdf_html(data: ExportData) -> str:
    return render_template(
        "careers/akpk/pdf.html",
        d=data,
        schedule=services.schedule_label,
        plan_labels=services.PLAN_STATUS_LABELS,
        item_labels=services.ITEM_STATUS_LABELS,
        form_of=_form,
        opd_of=_opd,
        kind_of=_kind,
    )


def pdf_bytes(data: ExportData) -> bytes:
    from weasyprint import HTML  # lazy: WeasyPrint loads in about a second

    document = HTML(
        string=pdf_html(data), base_url=STATIC_DIR.as_uri() + "/", url_fetcher=url_fetcher()
    )
    return document.write_pdf()

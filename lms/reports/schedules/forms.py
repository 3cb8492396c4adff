"""The subscription form, its choices, and the form turned into service input."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from lms.auth.models import User
from lms.extensions import db
from lms.forms import AppForm
from lms.indonesian import zone_abbreviation
from lms.org.models import Employee, Unit
from lms.permissions import ROLE_LABELS
from lms.reports.definitions import KIND_LABELS, REPORTS
from lms.reports.filters import Scope, parse
from lms.reports.schedules.models import (
    FORMAT_LABELS,
    FREQUENCY_LABELS,
    PERIOD_LABELS,
    RECIPIENT_ROLES,
    WEEKDAYS,
)
from lms.reports.schedules.services import ScheduleError, SubscriptionData


class SubscriptionForm(AppForm):
    report = SelectField(_l("Laporan"), validate_choice=False)
    format = SelectField(
        _l("Format berkas"), choices=list(FORMAT_LABELS.items()), validate_choice=False
    )
    frequency = SelectField(
        _l("Frekuensi"), choices=list(FREQUENCY_LABELS.items()), validate_choice=False
    )
    month_day = SelectField(
        _l("Tanggal pengiriman (bulanan)"),
        choices=[(str(d), str(d)) for d in range(1, 29)],
        validate_choice=False,
        description=LazyString(
            lambda: _(
                "Dipakai bila frekuensinya bulanan. Dikirim pukul 06.00 %(z)s.",
                z=zone_abbreviation(),
            )
        ),
    )
    weekday = SelectField(
        _l("Hari pengiriman (mingguan)"),
        choices=[(str(i), label) for i, label in enumerate(WEEKDAYS)],
        validate_choice=False,
        description=_l("Dipakai bila frekuensinya mingguan."),
    )
    period = SelectField(
        _l("Periode data"), choices=list(PERIOD_LABELS.items()), validate_choice=False
    )
    recipient_role = SelectField(
        _l("Penerima: semua pemegang peran"),
        validate_choice=False,
        description=_l(
            "Setiap penerima hanya mendapat data dalam wilayahnya, misalnya Admin OPD "
            "hanya perangkat daerahnya."
        ),
    )
    recipient_username = StringField(
        _l("atau penerima: nama pengguna"),
        validators=[Optional(), Length(max=64)],
        description=_l("Isi bila penerimanya satu orang; kosongkan peran di atas."),
    )
    unit = SelectField(_l("Unit kerja"), validate_choice=False)
    jenis = SelectField(_l("Jenis kompetensi"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    pelatihan = StringField(_l("Kode pelatihan"), validators=[Optional(), Length(max=40)])
    program = StringField(_l("Kode program"), validators=[Optional(), Length(max=40)])


def fill_choices(form: SubscriptionForm) -> None:
    form.report.choices = [(key, str(r.title)) for key, r in REPORTS.items()]
    form.recipient_role.choices = [("", _("— tidak, satu orang saja —"))] + [
        (role.value, str(ROLE_LABELS[role])) for role in RECIPIENT_ROLES
    ]
    units = db.session.execute(select(Unit.id, Unit.name, Unit.path).order_by(Unit.path)).all()
    form.unit.choices = [("", _("Semua unit"))] + [
        (str(uid), "— " * (path.count("/") - 2) + name) for uid, name, path in units
    ]
    form.jenis.choices = [("", _("Semua jenis"))] + [(k, str(v)) for k, v in KIND_LABELS.items()]
    statuses: dict[str, str] = {}
    for r in REPORTS.values():
        for code, label in r.statuses.items():
            statuses.setdefault(code, str(label))
    form.status.choices = [("", _("Semua status"))] + list(statuses.items())


def subscription_data(form: SubscriptionForm) -> SubscriptionData:
    """The form as service input; a filter or recipient the reader cannot use → ScheduleError."""
    args = {
        "unit": form.unit.data or "",
        "jenis": form.jenis.data or "",
        "status": form.status.data or "",
        "pelatihan": form.pelatihan.data or "",
        "program": form.program.data or "",
    }
    filters = parse(args, Scope.all())
    for key, message in filters.errors.items():
        name = {"unit": "unit", "jenis": "jenis"}.get(key, "status")
        raise ScheduleError(message, name)
    stored = filters.as_json()
    for key in ("page", "sort", "unit_path"):
        stored.pop(key, None)
    role = form.recipient_role.data or None
    username = (form.recipient_username.data or "").strip()
    user_id = None
    if username:
        if role:
            raise ScheduleError(
                _("Pilih salah satu: sebuah peran atau seorang pengguna, tidak keduanya."),
                "recipient_username",
            )
        user_id = db.session.scalar(
            select(User.id)
            .outerjoin(Employee, Employee.id == User.employee_id)
            .where(or_(func.lower(User.username) == username.lower(), Employee.nip == username))
        )
        if user_id is None:
            raise ScheduleError(
                _("Pengguna %(u)s tidak ditemukan.", u=username), "recipient_username"
            )
    weekly = form.frequency.data == "weekly"
    raw_day = (form.weekday.data if weekly else form.month_day.data) or ""
    if not raw_day.isdigit():
        raise ScheduleError(
            _("Pilih hari atau tanggal pengiriman."), "weekday" if weekly else "day"
        )
    return SubscriptionData(
        report=form.report.data,
        format=form.format.data,
        frequency=form.frequency.data,
        day=int(raw_day),
        period=form.period.data,
        recipient_role=role,
        recipient_user_id=user_id,
        filters=stored,
    )

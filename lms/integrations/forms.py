"""Forms of the SIASN screen and the webhook admin."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms.forms import AppForm
from lms.integrations.models import SECRET_MIN_LENGTH, WEBHOOK_EVENTS

EVENT_LABELS = {
    "completion.created": _l("completion.created — kelulusan baru"),
    "completion.revoked": _l("completion.revoked — kelulusan dicabut"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ResultUploadForm(AppForm):
    file = FileField(
        _l("Berkas hasil SIASN (CSV atau XLSX)"),
        validators=[
            FileRequired(_l("Pilih berkas untuk diunggah.")),
            FileAllowed(["csv", "xlsx"], _l("Format berkas harus .csv atau .xlsx.")),
        ],
    )


class ResultConfirmForm(AppForm):
    key = HiddenField(validators=[DataRequired()])


def _http_url(form: FlaskForm, field: StringField) -> None:
    from lms.integrations.webhooks import WebhookError, check_receiver

    try:
        check_receiver(field.data or "")
    except WebhookError as exc:
        raise ValidationError(str(exc)) from None


class EndpointForm(AppForm):
    url = StringField(
        _l("URL penerima"),
        validators=[DataRequired(_l("URL wajib diisi.")), Length(max=500), _http_url],
        description=_l(
            "Alamat http:// atau https:// yang menerima POST JSON, di alamat publik (alamat "
            "loopback, link-local, atau jaringan privat ditolak kecuali diizinkan administrator)."
        ),
    )
    secret = PasswordField(
        _l("Kunci rahasia penanda tangan"),
        validators=[
            DataRequired(_l("Kunci rahasia wajib diisi.")),
            Length(
                min=SECRET_MIN_LENGTH,
                max=200,
                message=_l("Kunci rahasia harus %(min)d sampai %(max)d karakter."),
            ),
        ],
        description=_l(
            "Minimal 16 karakter. Penerima memakai nilai yang sama untuk memeriksa header "
            "X-Akademi-Signature; nilai ini tidak ditampilkan lagi."
        ),
        render_kw={"autocomplete": "new-password"},
    )
    description = StringField(_l("Keterangan"), validators=[Length(max=200)])
    events = MultiCheckboxField(
        _l("Peristiwa"),
        choices=[(e, EVENT_LABELS.get(e, e)) for e in WEBHOOK_EVENTS],
        validators=[DataRequired(_l("Pilih minimal satu peristiwa."))],
    )

"""Forms for nominations, approval decisions and bulk enrolment."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.forms import AppForm


def _int_or_zero(value: object) -> int:
    """An id from a select; garbage becomes 0, which DataRequired then names in Indonesian."""
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


class NominateForm(AppForm):
    # Choices are checked by the service, whose refusal names the problem in Indonesian
    # (WTForms' own "Not a valid choice" does not).
    employee_id = SelectField(
        _l("Pegawai yang diusulkan"),
        coerce=_int_or_zero,
        validate_choice=False,
        validators=[DataRequired(_l("Pilih pegawai yang diusulkan."))],
    )
    course_id = SelectField(
        _l("Pelatihan"),
        coerce=_int_or_zero,
        validate_choice=False,
        validators=[DataRequired(_l("Pilih pelatihan."))],
    )


class DecisionForm(AppForm):
    comment = TextAreaField(
        _l("Catatan atau alasan"),
        validators=[Length(max=1000, message=_l("Catatan paling banyak 1000 karakter."))],
        description=_l("Wajib diisi bila usulan ditolak; dikirim kepada pegawai."),
    )
    approve = SubmitField(_l("Setujui"))
    reject = SubmitField(_l("Tolak"))

    def validate(self, extra_validators: dict | None = None) -> bool:
        """One of the two buttons, and a reason with a rejection (named on the comment)."""
        if not super().validate(extra_validators):
            return False
        if not (self.approve.data or self.reject.data):
            self.comment.errors.append(_("Pilih Setujui atau Tolak."))
            return False
        if self.reject.data and not (self.comment.data or "").strip():
            self.comment.errors.append(_("Tuliskan alasan penolakan."))
            return False
        return True


class BulkForm(AppForm):
    course_id = SelectField(
        _l("Pelatihan"),
        coerce=_int_or_zero,
        validate_choice=False,
        validators=[DataRequired(_l("Pilih pelatihan."))],
    )
    unit_id = SelectField(
        _l("Unit kerja (termasuk sub-unit)"),
        coerce=_int_or_zero,
        validate_choice=False,
        validators=[Optional()],
    )
    jabatan = SelectField(_l("Jenis jabatan"), validate_choice=False, validators=[Optional()])
    golongan = SelectField(_l("Pangkat/golongan"), validate_choice=False, validators=[Optional()])
    nip_file = FileField(
        _l("Berkas daftar NIP (CSV, XLSX, atau TXT)"),
        validators=[
            FileAllowed(["csv", "xlsx", "txt"], _l("Format berkas harus .csv, .xlsx, atau .txt."))
        ],
        description=_l("Satu NIP per baris; pada CSV/XLSX gunakan kolom bernama nip."),
    )
    nip_text = TextAreaField(
        _l("Atau tempel daftar NIP"),
        validators=[Length(max=200_000)],
        description=_l("Satu NIP per baris, boleh dengan spasi."),
    )


class BulkConfirmForm(AppForm):
    """Carries the selection of a preview; the server recomputes it and checks the digest."""

    course_id = HiddenField(validators=[DataRequired()])
    unit_id = HiddenField()
    jabatan = HiddenField()
    golongan = HiddenField()
    nips = HiddenField()
    digest = HiddenField(validators=[DataRequired()])

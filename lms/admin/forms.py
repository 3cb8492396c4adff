from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.auth.models import API_SCOPES
from lms.db import db_int
from lms.forms import AppForm


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(AppForm):
    username = StringField(
        _l("Nama pengguna"),
        validators=[DataRequired(_l("Nama pengguna wajib diisi.")), Length(max=64)],
    )
    display_name = StringField(_l("Nama tampilan"), validators=[Length(max=200)])
    password = PasswordField(
        _l("Kata sandi awal"),
        validators=[
            Optional(),
            Length(min=8, max=200, message=_l("Kata sandi minimal 8 karakter.")),
        ],
        description=_l("Kosongkan saat mengubah akun yang sudah ada."),
    )
    employee_nip = StringField(
        _l("NIP pegawai yang ditautkan"), validators=[Optional(), Length(max=25)]
    )
    roles = MultiCheckboxField(_l("Peran"))
    admin_unit_id = SelectField(_l("OPD yang dikelola (untuk Admin OPD)"), coerce=db_int)
    partner_id = SelectField(_l("Lembaga mitra (untuk Mitra)"), coerce=db_int)


class TokenForm(AppForm):
    username = StringField(
        _l("Akun pemilik token"), validators=[DataRequired(_l("Isi nama pengguna."))]
    )
    name = StringField(_l("Keterangan"), validators=[Length(max=100)])
    scopes = MultiCheckboxField(
        _l("Cakupan"),
        choices=[(s, s) for s in API_SCOPES],
        validators=[DataRequired(_l("Pilih minimal satu cakupan."))],
    )

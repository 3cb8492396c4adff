from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from lms.db import db_int
from lms.forms import AppForm
from lms.org.models import UNIT_KINDS

UNIT_KIND_LABELS = {
    "opd": _l("Perangkat daerah (OPD)"),
    "bidang": _l("Bidang"),
    "bagian": _l("Bagian"),
    "seksi": _l("Seksi"),
    "subbagian": _l("Subbagian"),
    "upt": _l("UPT"),
}


class EmployeeForm(AppForm):
    nip = StringField(
        _l("NIP"),
        validators=[DataRequired(_l("NIP wajib diisi.")), Length(max=25)],
        description=_l("18 digit, boleh dengan spasi."),
    )
    status = SelectField(
        _l("Status kepegawaian"),
        choices=[("pns", "PNS"), ("cpns", "CPNS"), ("pppk", "PPPK")],
        description=_l("Menentukan aturan NIP, skala golongan, dan target JP pegawai."),
    )
    nama = StringField(
        _l("Nama (tanpa gelar)"),
        validators=[DataRequired(_l("Nama wajib diisi.")), Length(max=150)],
    )
    gelar_depan = StringField(_l("Gelar depan"), validators=[Length(max=50)])
    gelar_belakang = StringField(_l("Gelar belakang"), validators=[Length(max=80)])
    tempat_lahir = StringField(_l("Tempat lahir"), validators=[Length(max=100)])
    golongan = SelectField(
        _l("Pangkat/golongan"),
        validators=[Optional()],
        description=_l("PNS dan CPNS: I/a–IV/e; PPPK: golongan I–XVII (Perpres 98/2020)."),
    )
    jenis_jabatan = SelectField(_l("Jenis jabatan"), validators=[Optional()])
    jenjang_jabatan = SelectField(_l("Jenjang jabatan"), validators=[Optional()])
    jabatan = StringField(_l("Nama jabatan"), validators=[Length(max=200)])
    kode_unit = SelectField(_l("Unit kerja"), validators=[DataRequired(_l("Pilih unit kerja."))])
    nip_atasan = StringField(_l("NIP atasan langsung"), validators=[Length(max=25)])
    email = EmailField(_l("Surel"), validators=[Optional(), Length(max=200)])
    is_active = BooleanField(_l("Aktif"), default=True)


class UnitForm(AppForm):
    code = StringField(
        _l("Kode unit"), validators=[DataRequired(_l("Kode unit wajib diisi.")), Length(max=40)]
    )
    name = StringField(
        _l("Nama unit"), validators=[DataRequired(_l("Nama unit wajib diisi.")), Length(max=200)]
    )
    kind = SelectField(_l("Jenis unit"), choices=[(k, UNIT_KIND_LABELS[k]) for k in UNIT_KINDS])
    parent_id = SelectField(_l("Unit induk"), coerce=db_int)
    siasn_id = StringField(_l("ID unit SIASN"), validators=[Optional(), Length(max=64)])


class ImportUploadForm(AppForm):
    file = FileField(
        _l("Berkas pegawai (CSV atau XLSX)"),
        validators=[
            FileRequired(_l("Pilih berkas untuk diunggah.")),
            FileAllowed(["csv", "xlsx"], _l("Format berkas harus .csv atau .xlsx.")),
        ],
    )


class ImportConfirmForm(AppForm):
    key = HiddenField(validators=[DataRequired()])

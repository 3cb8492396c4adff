"""Forms of the authoring screens. Business rules (JP range, known codes) stay in the services;
these forms only carry the fields, labels and the messages for missing input."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)
from wtforms.widgets import CheckboxInput, ListWidget

from lms.courses.models import COMPETENCY_KIND_LABELS
from lms.db import db_int
from lms.forms import AppForm

KIND_LABELS = COMPETENCY_KIND_LABELS
MODE_LABELS = {
    "e-learning": _l("E-learning"),
    "classroom": _l("Klasikal"),
    "blended": _l("Blended"),
}
STEP_LABELS = {
    "": _l("Tanpa persetujuan: peserta langsung terdaftar"),
    "supervisor": _l("Persetujuan atasan langsung"),
    "hr": _l("Persetujuan BKPSDM"),
    "supervisor,hr": _l("Atasan langsung, lalu BKPSDM"),
}
VERSION_STATUS_LABELS = {
    "draft": _l("Draf"),
    "in_review": _l("Menunggu telaah"),
    "published": _l("Terbit"),
    "archived": _l("Diarsipkan"),
}
FILE_KIND_LABELS = {"image": _l("Gambar"), "attachment": _l("Lampiran")}


class AuthoringForm(AppForm):
    """Base of the course authoring forms."""


def _typed_but_unreadable(field: IntegerField | DateField) -> bool:
    """Something was typed and could not be read; an empty field is left to Optional()."""
    return bool(field.process_errors and field.raw_data and str(field.raw_data[0]).strip())


class WholeNumberField(IntegerField):
    """An integer field whose parse error speaks Indonesian (WTForms has no Indonesian catalogue)."""

    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(
                _l("%(label)s harus berupa bilangan bulat.", label=self.label.text)
            ) from None

    def pre_validate(self, form: FlaskForm) -> None:
        if _typed_but_unreadable(self):  # one message is enough: skip the range check
            raise StopValidation()


class LocalDateField(DateField):
    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(
                _l("%(label)s bukan tanggal yang valid.", label=self.label.text)
            ) from None

    def pre_validate(self, form: FlaskForm) -> None:
        if _typed_but_unreadable(self):
            raise StopValidation()


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MetaForm(AuthoringForm):
    """The catalogue fields of a version (the course code is fixed once created)."""

    title = StringField(
        _l("Judul pelatihan"),
        validators=[DataRequired(_l("Judul pelatihan wajib diisi.")), Length(max=200)],
    )
    summary = TextAreaField(_l("Ringkasan"), validators=[Length(max=3000)], render_kw={"rows": 3})
    objectives = TextAreaField(
        _l("Tujuan pembelajaran"),
        validators=[Length(max=5000)],
        description=_l("Satu tujuan per baris."),
        render_kw={"rows": 4},
    )
    competency_kind = SelectField(
        _l("Jenis kompetensi"), choices=[(k, v) for k, v in KIND_LABELS.items()]
    )
    jenis_diklat_code = SelectField(_l("Jenis pengembangan kompetensi (kode SIASN)"))
    jp = StringField(
        _l("Jam pelajaran (JP)"),
        validators=[DataRequired(_l("JP wajib diisi.")), Length(max=10)],
        description=_l("1 JP = 45 menit. Boleh desimal, misalnya 2,5."),
        render_kw={"inputmode": "decimal"},
    )
    delivery_mode = SelectField(
        _l("Moda pembelajaran"), choices=[(k, v) for k, v in MODE_LABELS.items()]
    )
    organiser = StringField(_l("Penyelenggara"), validators=[Length(max=200)])
    tags = StringField(
        _l("Kata kunci"), validators=[Length(max=500)], description=_l("Pisahkan dengan koma.")
    )
    cover = FileField(
        _l("Gambar sampul"),
        description=_l("Opsional. PNG, JPEG, GIF, atau WebP, paling besar 5 MB."),
    )
    remove_cover = BooleanField(_l("Hapus gambar sampul"))

    def catalogue_values(self) -> dict[str, object]:
        return {
            "title": self.title.data,
            "summary": self.summary.data,
            "objectives": self.objectives.data or "",
            "competency_kind": self.competency_kind.data,
            "jenis_diklat_code": self.jenis_diklat_code.data or None,
            "jp": (self.jp.data or "").strip().replace(",", "."),
            "delivery_mode": self.delivery_mode.data,
            "organiser": self.organiser.data,
            "tags": self.tags.data or "",
        }


class NewCourseForm(MetaForm):
    code = StringField(
        _l("Kode pelatihan"),
        validators=[DataRequired(_l("Kode pelatihan wajib diisi.")), Length(max=40)],
        description=_l(
            "Singkat dan unik, misalnya TI-201: huruf A-Z, angka 0-9, titik (.), garis bawah (_) "
            "dan tanda hubung (-), paling banyak 40 karakter. Tidak dapat diubah setelah dibuat."
        ),
    )
    category = SelectField(_l("Kategori"))


class ModuleForm(AuthoringForm):
    title = StringField(
        _l("Judul modul"),
        validators=[DataRequired(_l("Judul modul wajib diisi.")), Length(max=200)],
    )


class LessonForm(AuthoringForm):
    title = StringField(
        _l("Judul pelajaran"),
        validators=[DataRequired(_l("Judul pelajaran wajib diisi.")), Length(max=200)],
    )
    minutes = WholeNumberField(
        _l("Perkiraan durasi (menit)"),
        default=15,
        validators=[
            InputRequired(_l("Isi perkiraan durasi dalam menit.")),
            NumberRange(0, 600, _l("Perkiraan durasi harus 0 sampai 600 menit.")),
        ],
    )
    body_md = TextAreaField(
        _l("Isi pelajaran (Markdown)"),
        validators=[Length(max=200_000)],
        description=_l(
            "Markdown: # Judul, **tebal**, *miring*, - daftar, [tautan](https://...), ![gambar](alamat). "
            "HTML mentah ditampilkan sebagai teks."
        ),
        render_kw={"rows": 18},
    )
    image = FileField(
        _l("Tambahkan gambar di akhir isi"),
        description=_l(
            "Opsional. PNG, JPEG, GIF, atau WebP, paling besar 5 MB; diunggah saat disimpan."
        ),
    )
    image_alt = StringField(
        _l("Keterangan gambar (teks alternatif)"),
        validators=[Length(max=200)],
        description=_l("Jelaskan isi gambar bagi peserta yang memakai pembaca layar."),
    )


class MoveForm(AuthoringForm):
    arah = HiddenField(validators=[AnyOf(["naik", "turun"])])


class UploadForm(AuthoringForm):
    kind = SelectField(_l("Jenis berkas"), choices=[(k, v) for k, v in FILE_KIND_LABELS.items()])
    file = FileField(_l("Berkas"), validators=[FileRequired(_l("Pilih berkas untuk diunggah."))])


class SendBackForm(AuthoringForm):
    comment = TextAreaField(
        _l("Catatan perbaikan untuk pengajar"),
        validators=[
            DataRequired(_l("Tuliskan catatan perbaikan untuk pengajar.")),
            Length(max=5000),
        ],
        render_kw={"rows": 4},
    )


class SettingsForm(AuthoringForm):
    category = SelectField(_l("Kategori"))
    self_enrol = BooleanField(_l("Pegawai dapat mendaftar sendiri"))
    approval_steps = SelectField(
        _l("Alur persetujuan"), choices=[(k, v) for k, v in STEP_LABELS.items()]
    )
    capacity = WholeNumberField(
        _l("Kapasitas (kursi)"),
        validators=[Optional(), NumberRange(1, 100_000, _l("Kapasitas harus lebih dari 0."))],
        description=_l("Kosongkan bila tidak dibatasi. Bila penuh, pendaftar masuk daftar tunggu."),
    )
    enrol_deadline = LocalDateField(_l("Batas pendaftaran"), validators=[Optional()])
    starts_on = LocalDateField(_l("Tanggal mulai"), validators=[Optional()])
    ends_on = LocalDateField(_l("Tanggal selesai"), validators=[Optional()])
    trainers = MultiCheckboxField(_l("Pengajar"), coerce=db_int)
    require_lessons = BooleanField(_l("Semua materi diselesaikan"))
    require_posttest = BooleanField(_l("Post-test atau ujian lulus"))
    require_evaluation = BooleanField(_l("Evaluasi penyelenggaraan diisi"))

"""Forms of the package pages: upload, approve, return."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DecimalField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from lms.courses.models import COMPETENCY_KIND_LABELS
from lms.forms import AppForm

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class UploadForm(AppForm):
    file = FileField(
        _l("Paket modul (.zip)"),
        validators=[
            FileRequired(_l("Pilih berkas paket untuk diunggah.")),
            FileAllowed(["zip"], _l("Paket harus berupa berkas .zip.")),
        ],
    )
    code = StringField(
        _l("Kode modul"),
        validators=[
            Optional(),
            Length(max=60),
            Regexp(CODE_PATTERN, message=_l("Kode hanya huruf, angka, titik, _ dan -.")),
        ],
        description=_l(
            "Kosongkan untuk memakai identifier manifest. Kode yang sama membuat versi baru."
        ),
    )


def _course_id(value: Any) -> int | None:
    """The picked course's id; None when none was picked, 0 (no such course) for garbage, so the
    review service answers "not found" instead of WTForms' English coercion message."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) < 12 else 0


PLACEMENT_CHOICES = [
    ("course", _l("Pelatihan baru")),
    ("module", _l("Modul dari pelatihan yang sudah ada")),
]


class ApproveForm(AppForm):
    """Approve as a new course (code, JP, competency kind, category) or as a module of an
    existing course (``course_id``, from the courses the reviewer may manage)."""

    placement = RadioField(
        _l("Jadikan paket ini"),
        choices=PLACEMENT_CHOICES,
        default="course",
        validators=[DataRequired(_l("Pilih: pelatihan baru atau modul pelatihan yang ada."))],
    )
    course_code = StringField(
        _l("Kode pelatihan"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(CODE_PATTERN, message=_l("Kode hanya huruf, angka, titik, _ dan -.")),
        ],
    )
    jp = DecimalField(_l("JP"), places=2, validators=[Optional(), NumberRange(min=0.5, max=2000)])
    competency_kind = SelectField(
        _l("Jenis kompetensi"), choices=[(k, v) for k, v in COMPETENCY_KIND_LABELS.items()]
    )
    category = SelectField(_l("Kategori"))
    course_id = SelectField(_l("Pelatihan tujuan"), coerce=_course_id, validate_choice=False)

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        new_course = (self.course_code, self.jp, self.competency_kind, self.category)
        if self.placement.data == "module":
            for field in new_course:  # not used for a module: nothing to refuse there
                field.errors = []
        else:
            for field, message in (
                (self.course_code, _l("Kode pelatihan wajib diisi untuk pelatihan baru.")),
                (self.jp, _l("JP wajib diisi untuk pelatihan baru.")),
            ):
                if field.data in (None, "") and not field.errors:
                    field.errors = [message]
        return not any(field.errors for field in self)


class ReturnForm(AppForm):
    notes = TextAreaField(
        _l("Catatan untuk mitra"),
        validators=[DataRequired(_l("Tuliskan catatan perbaikan.")), Length(max=5000)],
    )

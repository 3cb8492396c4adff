"""Forms of forums: a new thread, a reply, the on/off buttons, moving, hiding, reporting."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, ValidationError

from lms.community.forums.files import MAX_FILES
from lms.community.forums.services import body_too_long
from lms.community.models import POST_MAX_CHARS, REASON_MAX_CHARS, TITLE_MAX_CHARS
from lms.forms import AppForm

BODY_HELP = _l(
    "Boleh Markdown: **tebal**, *miring*, daftar, tautan [teks](https://...). HTML tidak "
    "dijalankan. Paling banyak 20.000 karakter."
)
FILES_HELP = _l(
    "Paling banyak %(n)s berkas, masing-masing paling besar 5 MB: gambar PNG, JPEG, GIF, WebP "
    "atau dokumen PDF, DOCX, XLSX, PPTX.",
    n=MAX_FILES,
)


def _body_length(_form: Any, field: Any) -> None:
    """The post's own message: how long it is and how long it may be (not WTForms' generic)."""
    length = len((field.data or "").strip())
    if length > POST_MAX_CHARS:
        raise ValidationError(body_too_long(length))


class ReplyForm(AppForm):
    body = TextAreaField(
        _l("Tulisan"),
        validators=[DataRequired(), _body_length],
        description=BODY_HELP,
        render_kw={"rows": 8},
    )
    files = MultipleFileField(_l("Lampiran"), description=FILES_HELP)


class ThreadForm(ReplyForm):
    title = StringField(_l("Judul topik"), validators=[DataRequired(), Length(max=TITLE_MAX_CHARS)])


class SwitchForm(AppForm):
    """One on/off button (pin, lock, follow): the wanted state, so a repeated click is harmless."""

    state = HiddenField(validators=[InputRequired(), AnyOf(("on", "off"))])

    @property
    def on(self) -> bool:
        return self.state.data == "on"


class MoveForm(AppForm):
    target = SelectField(_l("Pindahkan ke forum"), coerce=int, validate_choice=True)


class ReasonForm(AppForm):
    reason = TextAreaField(_l("Alasan"), validators=[DataRequired(), Length(max=REASON_MAX_CHARS)])


class HandleForm(AppForm):
    action = RadioField(
        _l("Tindakan"),
        choices=[
            ("hide", _l("Sembunyikan tulisan")),
            ("dismiss", _l("Abaikan laporan: tulisan tetap tampil")),
        ],
        validators=[DataRequired()],
    )
    reason = TextAreaField(
        _l("Alasan untuk penulis (bila disembunyikan)"),
        validators=[Length(max=REASON_MAX_CHARS)],
    )

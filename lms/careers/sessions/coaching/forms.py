"""Forms of coaching plans."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from lms.careers.forms import DATE_MESSAGE, int_or_none
from lms.forms import AppForm


class PlanForm(AppForm):
    form_code = SelectField(_l("Bentuk pendampingan"), coerce=int_or_none, validate_choice=False)
    goals = TextAreaField(
        _l("Tujuan pendampingan"),
        validators=[Length(max=5000)],
        description=_l("Apa yang perlu membaik, dan bagaimana Anda berdua akan mengetahuinya."),
    )
    sessions_planned = IntegerField(_l("Jumlah sesi yang direncanakan"), validators=[Optional()])
    coach_user_id = SelectField(
        _l("Coach/mentor (dengan akun)"), coerce=int_or_none, validate_choice=False
    )
    coach_name = StringField(_l("Atau nama pendamping tanpa akun"), validators=[Length(max=200)])
    starts_on = DateField(
        _l("Tanggal mulai"), validators=[Optional()], invalid_value_message=DATE_MESSAGE
    )
    review_on = DateField(
        _l("Tanggal tinjauan"), validators=[Optional()], invalid_value_message=DATE_MESSAGE
    )


class NoteForm(AppForm):
    note = TextAreaField(_l("Catatan tindak lanjut"), validators=[Length(max=5000)])


class CloseForm(AppForm):
    outcome = TextAreaField(_l("Hasil pendampingan"), validators=[Length(max=5000)])

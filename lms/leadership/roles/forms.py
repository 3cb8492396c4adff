"""The organiser's forms for a participant's coach and mentor."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length

from lms.forms import AppForm


class RolesForm(AppForm):
    coach = SelectField(_l("Coach"), coerce=str, validate_choice=False)
    mentor_nip = StringField(
        _l("NIP mentor pengganti"),
        validators=[Length(max=30)],
        description=_l("Kosongkan agar mentornya atasan langsung peserta."),
    )


class CoachAllForm(AppForm):
    coach = SelectField(
        _l("Coach untuk semua peserta yang belum memiliki coach"), coerce=str, validate_choice=False
    )

"""Forms of the organiser's cohort page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectMultipleField
from wtforms.validators import DataRequired

from lms.forms import AppForm


class PhaseMarksForm(AppForm):
    """The participants ticked as having met one phase (classroom attendance); unticked ones lose
    their mark."""

    phase = HiddenField(validators=[DataRequired(_l("Tahap tidak dikenal."))])
    members = SelectMultipleField(_l("Peserta"), validate_choice=False)

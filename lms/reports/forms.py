"""The one POST form of reports (start a background export): CSRF only, the filters ride in the URL."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ExportForm(FlaskForm):
    pass

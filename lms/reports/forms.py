"""The one POST form of reports (start a background export): CSRF only, the filters ride in the URL."""

from __future__ import annotations

from lms.forms import AppForm


class ExportForm(AppForm):
    pass

"""The one form of the notification list: mark one (by id) or all of them read."""

from __future__ import annotations

from wtforms import HiddenField

from lms.forms import AppForm


class MarkReadForm(AppForm):
    notification_id = HiddenField()

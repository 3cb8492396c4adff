"""Notifications: the in-app list with its bell, and the e-mail that follows each one.

Features below and above tell a person something with ``services.notify_employee`` (or
``notify`` when they hold an account id); the link is built from an endpoint, never written as a
path. The row is the notification; its e-mail leaves through ``lms.tasks.after_commit`` once
the transaction commits (``mail``).
"""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

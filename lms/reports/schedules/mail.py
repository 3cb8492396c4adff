"""The file a recipient receives and the mail that carries it."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app
from flask_babel import gettext as _

from lms.reports import exports

MIMETYPES = {
    "csv": ("text", "csv"),
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": ("application", "pdf"),
}


@dataclass
class Attachment:
    filename: str
    data: bytes
    rows: int


def render_file(report, scope, f, fmt: str, scope_label: str) -> bytes:
    """The report file through the reports writers (the same bytes the web offers)."""
    if fmt == "csv":
        return b"".join(exports.csv_chunks(report, scope, f))
    if fmt == "xlsx":
        return exports.xlsx_bytes(report, scope, f)
    return exports.pdf_bytes(report, scope, f, scope_label=scope_label)


def scope_label(scope, user) -> str:
    if scope.everything:
        return _("Semua perangkat daerah")
    parts = []
    if scope.path is not None and user.admin_unit is not None:
        parts.append(user.admin_unit.name)
    if scope.supervisor_id is not None:
        parts.append(_("bawahan langsung %(n)s", n=user.name))
    return ", ".join(parts)


def send_mail_with_attachment(
    to: str, subject: str, body: str, attachment: Attachment, fmt: str
) -> bool:
    """Send over SMTP (``LMS_SMTP_HOST``) as ``lms.notifications.send_mail`` does, with a file.
    Returns False when no SMTP server is configured (the mail is only logged)."""
    cfg = current_app.config
    if not cfg.get("SMTP_HOST"):
        current_app.logger.warning("report mail not sent (no SMTP): to=%s subject=%s", to, subject)
        return False
    msg = EmailMessage()
    msg["From"] = cfg.get("MAIL_FROM", "akademi-asn@localhost")
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    maintype, subtype = MIMETYPES[fmt]
    msg.add_attachment(
        attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
    )
    with smtplib.SMTP(cfg["SMTP_HOST"], cfg.get("SMTP_PORT", 25), timeout=30) as smtp:
        smtp.send_message(msg)
    return True

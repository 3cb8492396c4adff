"""Rendering certificates in the background (Celery when configured, in-process otherwise).

With a worker, ``soft_time_limit``/``time_limit`` bound a render; in-process (eager) Celery enforces
no limit: see the module docstring of ``lms.certificates.render`` for what bounds it there.
"""

from __future__ import annotations

from celery import shared_task

from lms.certificates.models import Certificate
from lms.extensions import db


@shared_task(name="certificates.render", soft_time_limit=60, time_limit=90)
def render_certificate(certificate_id: int) -> bool:
    """Render and store one certificate's PDF; a no-op when it is stored already.

    A failure is recorded in ``render_error`` (committed in a fresh transaction, so the register
    can show it) and re-raised, so the worker logs it and ``run_ready`` reports it.
    """
    from lms.certificates.render import store_pdf

    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.pdf_key:
        return False
    try:
        store_pdf(certificate)
        db.session.commit()
    except Exception as exc:  # SoftTimeLimitExceeded is an Exception too
        error = certificate.render_error or f"{type(exc).__name__}: {exc}"[:2000]
        db.session.rollback()
        certificate = db.session.get(Certificate, certificate_id)
        if certificate is not None:
            certificate.render_error = error
            db.session.commit()
        raise
    return True

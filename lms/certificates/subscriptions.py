"""Certificates follow completion's announcements (``lms.completion.signals``).

Completion sits below certificates and never imports them: it sends ``completion_recorded`` and
``completion_revoked`` inside its transaction, and these receivers issue or revoke the certificate
in that same transaction. The course page (courses sit below certificates) shows a learner's
certificate through the ``certificate_of`` template global, completion's HR pages the
certificates of their completions through ``certificates_of`` and ``completion_certificates``. ``register`` runs when the app is
created (``lms.certificates.bp``); connecting twice keeps one receiver.
"""

from __future__ import annotations

from flask import Flask

from lms.auth.models import User
from lms.certificates import queries, sttpp
from lms.certificates.models import Certificate
from lms.certificates.services import current_certificate, issue_for, revoke_for_completion
from lms.completion.models import Completion
from lms.completion.signals import completion_recorded, completion_revoked


def on_completion_recorded(completion: Completion, *, actor: User | None) -> str | None:
    """Issue the certificate; its number goes into the completion's outbox event. A programme
    participant who failed gets no STTPP (programme completion writes none for them anyway)."""
    if sttpp.refusal(completion):
        return None
    return issue_for(completion, actor).number


def on_completion_revoked(completion: Completion, *, by: User, reason: str) -> None:
    revoke_for_completion(completion, by, reason)


def certificate_of(completion: Completion | None) -> Certificate | None:
    """The issued certificate of a completion (template global for the pages below)."""
    return current_certificate(completion.id) if completion is not None else None


def register(app: Flask) -> None:
    completion_recorded.connect(on_completion_recorded)
    completion_revoked.connect(on_completion_revoked)
    app.add_template_global(certificate_of, "certificate_of")
    app.add_template_global(queries.newest_of, "certificates_of")
    app.add_template_global(queries.all_of, "completion_certificates")

"""What completion announces to the features above it (arrows point down: completion never
imports certificates; certificates subscribe when the app is created).

Both are sent inside the completion's transaction; receivers flush, never commit, and a receiver
that raises aborts the whole completion (or revocation):

- ``completion_recorded``: a valid completion was just written (flushed, with its id), with
  ``sender``: the ``Completion`` and ``actor``: the ``User`` who recorded it (None when the learner
  completed online). A receiver may return the number of the certificate it issued: the outbox
  event written next carries it (``certificate_number`` in the feed).
- ``completion_revoked``: a completion was revoked, with ``sender``: the ``Completion``, ``by``:
  the ``User`` and ``reason``: the stated reason. The outbox event follows the receivers.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

completion_recorded = _signals.signal("completion-recorded")
completion_revoked = _signals.signal("completion-revoked")


def issued_number(replies: list[tuple[object, object]]) -> str | None:
    """The certificate number a ``completion_recorded`` receiver returned (None if none did)."""
    return next((reply for _, reply in replies if isinstance(reply, str) and reply), None)

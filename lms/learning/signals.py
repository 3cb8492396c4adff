"""What learning announces to the features above it (arrows point down: learning never imports
completion; completion subscribes).

``lesson_done`` is sent when a lesson is marked done for the first time, inside the same
transaction, with ``sender``: the ``Enrolment`` (its progress already flushed) and ``lesson``: the
``Lesson``. Completion judges the course at once (the last lesson may complete it). Receivers
flush, never commit; a receiver that raises aborts the request.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

lesson_done = _signals.signal("lesson-done")

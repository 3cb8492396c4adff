"""What evaluations announce to the features above them (arrows point down: evaluations never
import completion; completion subscribes).

``evaluation_sent`` is sent when a participant's course evaluation was stored, inside the same
transaction, with ``sender``: the ``Enrolment`` and ``evaluation``: the ``CourseEvaluation``.
Completion judges the course at once (the evaluation may be the last missing rule). Receivers
flush, never commit; a receiver that raises aborts the submission.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

evaluation_sent = _signals.signal("evaluation-sent")

"""What quizzes announce to the features above them (arrows point down: quizzes never import
completion; completion subscribes).

``attempt_graded`` is sent each time an attempt gets (or changes) its score, inside the same
transaction, with ``sender``: the ``QuizAttempt`` (status ``graded``, score set, not yet flushed).
Completion judges the course at once when the quiz is a post-test (``POSTTEST_KINDS``). Receivers
flush, never commit; a receiver that raises aborts the grading.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

attempt_graded = _signals.signal("attempt-graded")

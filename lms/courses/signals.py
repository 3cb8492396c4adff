"""What courses announce to the features above them (arrows point down: courses never import
learning; learning subscribes).

``course_published`` is sent when a version became the course's published one, inside the same
transaction, with ``sender``: the ``Course`` (its ``published_version`` already flushed). Learning
recounts every enrolment's progress against the lessons that still exist. Receivers flush, never
commit; a receiver that raises aborts the publication.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

course_published = _signals.signal("course-published")

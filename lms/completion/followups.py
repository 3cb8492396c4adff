"""The post-training evaluation's outbox consumer: completions become follow-ups.

Evaluations sits below completion and never imports it, so completion hands the facts down: for
``completion.created``, a follow-up months after the completion's local day
(``lms.evaluations.followup.services.schedule``, once per completion); for
``completion.revoked``, the follow-up is cancelled. De-duplication by event id is the
dispatcher's; ``schedule`` is idempotent per completion besides.

Each piece of learning is followed up once, like it counts once (``counting``): a course
completed as part of a programme's cohort is followed up with its programme, not on its own.
"""

from __future__ import annotations

from lms.completion.consumers import consumer
from lms.completion.counting import programmes_of
from lms.completion.models import Completion, OutboxEvent
from lms.evaluations.followup import services as followups
from lms.extensions import db


@consumer("post_training")
def handle(event: OutboxEvent) -> None:
    completion = db.session.get(Completion, event.completion_id)
    if completion is None:
        return
    if event.type == "completion.revoked":
        followups.cancel_for_completion(completion.id)
        return
    if completion.status != "valid" or programmes_of([completion]):
        return
    followups.schedule(
        completion_id=completion.id,
        employee_id=completion.employee_id,
        course_id=completion.course_id,
        programme_id=completion.programme_id,
        code=completion.code,
        title=completion.title,
        unit_id=completion.unit_id,
        completed_at=completion.completed_at,
    )
    db.session.flush()

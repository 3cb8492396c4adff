"""Development plan items tick themselves: an outbox consumer.

``completion.created`` for a course (or a programme completed in a cohort) marks every open
activity of that employee's plans that links it as done; ``completion.revoked`` undoes exactly
the activities that completion ticked. De-duplication by event id is the dispatcher's.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from lms.careers.plans.models import DevelopmentPlan, PlanActivity
from lms.completion.consumers import consumer
from lms.completion.models import Completion, OutboxEvent
from lms.extensions import db


@consumer("development_plan")
def handle(event: OutboxEvent) -> None:
    completion = db.session.get(Completion, event.completion_id)
    if completion is None:
        return
    if event.type == "completion.revoked":
        for activity in db.session.scalars(
            select(PlanActivity).where(PlanActivity.completion_id == completion.id)
        ):
            activity.done_at = None
            activity.completion_id = None
        db.session.flush()
        return
    if completion.status != "valid":
        return
    links = []
    if completion.course_id is not None:
        links.append(PlanActivity.course_id == completion.course_id)
    if completion.programme_id is not None and completion.cohort_id is not None:
        links.append(PlanActivity.cohort_id == completion.cohort_id)
    if not links:
        return
    activities = db.session.scalars(
        select(PlanActivity)
        .join(DevelopmentPlan, DevelopmentPlan.id == PlanActivity.plan_id)
        .where(
            DevelopmentPlan.employee_id == completion.employee_id,
            DevelopmentPlan.year <= completion.year,
            PlanActivity.done_at.is_(None),
            or_(*links),
        )
    )
    for activity in activities:
        activity.done_at = completion.completed_at
        activity.completion_id = completion.id
    db.session.flush()

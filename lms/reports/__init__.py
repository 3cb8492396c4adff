"""HR reports: completions, JP compliance, cohorts, quizzes, evaluations, certificates, trainers."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from lms.tasks import register_beat

bp = Blueprint("reports", __name__)


@bp.record_once
def _beat(state: BlueprintSetupState) -> None:
    """Scheduled reports go out hourly through Celery beat (cron uses the CLI instead)."""
    from lms.reports.schedules.runner import beat_schedule  # the package loads before its runner

    register_beat(state.app, beat_schedule())

"""Course evaluation (evaluasi penyelenggaraan): participants rate the course, trainer and organisation;
``followup/``: the post-training evaluation months later (evaluasi pascapelatihan)."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from lms.tasks import register_beat

bp = Blueprint("evaluations", __name__)


@bp.record_once
def _beat(state: BlueprintSetupState) -> None:
    """The post-training invitations and reminders go out daily through Celery beat (cron uses
    the CLI instead)."""
    from lms.evaluations.followup.notices import beat_schedule  # loads after the package

    register_beat(state.app, beat_schedule())

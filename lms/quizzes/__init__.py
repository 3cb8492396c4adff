"""Quizzes: the per-course question bank and its Moodle-compatible GIFT/Aiken exchange."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("quizzes", __name__)


@bp.record_once
def _register_metrics(_state: BlueprintSetupState) -> None:
    """The exam attempts in progress gauge of /metrics (lms.observability.metrics)."""
    import lms.quizzes.metrics  # noqa: F401 - registers on import

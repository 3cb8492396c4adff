"""Completion: the rules that decide a course is done, completion records and their outbox events."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("completion", __name__)


@bp.record_once
def _subscribe(state: BlueprintSetupState) -> None:
    """Judge completion on the lower features' events from the moment the app exists."""
    from lms.completion.subscriptions import register  # the package loads before its services

    register(state.app)


@bp.record_once
def _register_metrics(_state: BlueprintSetupState) -> None:
    """The outbox backlog gauge of /metrics (lms.observability.metrics)."""
    import lms.completion.metrics  # noqa: F401 - registers on import

"""Integrations: webhooks, the SIASN export (the completion feed lives in the API)."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("integrations", __name__)


@bp.record_once
def _register_metrics(_state: BlueprintSetupState) -> None:
    """The webhook dead letters gauge of /metrics (lms.observability.metrics)."""
    import lms.integrations.metrics  # noqa: F401 - registers on import

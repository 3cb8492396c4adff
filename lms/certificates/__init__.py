"""Certificates: numbering, PDF rendering, verification, lists and the register."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("certificates", __name__)


@bp.record_once
def _subscribe(state: BlueprintSetupState) -> None:
    """Issue and revoke certificates on completion's events from the moment the app exists."""
    from lms.certificates.subscriptions import register  # the package loads before its services

    register(state.app)

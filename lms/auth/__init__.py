from flask import Blueprint, g, has_request_context
from flask.blueprints import BlueprintSetupState

bp = Blueprint("auth", __name__)


def _request_roles_memo() -> dict | None:
    """One request's memo of ``User.roles`` (the menu and every capability check read them)."""
    if not has_request_context():
        return None
    if "_user_roles" not in g:
        g._user_roles = {}
    return g._user_roles


@bp.record_once
def _memoise_roles(state: BlueprintSetupState) -> None:
    from lms.auth.models import memoise_roles_in  # the package loads before its models

    memoise_roles_in(_request_roles_memo)

"""Partner institutions: BKPSDM keeps their profiles (kind, accreditation, MoU, contact) and
their staff accounts. The model lives in lms.auth.models (accounts and courses point at it)."""

from flask import Blueprint

bp = Blueprint("partners", __name__)

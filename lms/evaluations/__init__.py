"""Course evaluation (evaluasi penyelenggaraan): participants rate the course, trainer and organisation."""

from flask import Blueprint

bp = Blueprint("evaluations", __name__)

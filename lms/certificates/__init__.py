"""Certificates: numbering, PDF rendering, verification, lists and the register."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)

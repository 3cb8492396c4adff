"""Integrations: webhooks, the SIASN export (the completion feed lives in the API)."""

from flask import Blueprint

bp = Blueprint("integrations", __name__)

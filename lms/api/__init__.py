"""JSON API v1: bearer tokens with scopes, JSON errors, an OpenAPI 3.1 document.

The blueprint lives in ``lms.apikit`` so that features attach their own /api/v1 routes and
OpenAPI parts without importing this package.
"""

from lms.apikit import bp

__all__ = ["bp"]

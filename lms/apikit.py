"""The /api/v1 plumbing every feature shares: the blueprint and the OpenAPI registry.

A feature with JSON routes attaches them to ``bp`` (endpoints ``api.<name>``, mounted at
``/api/v1`` by the app factory) and hands its part of the OpenAPI document up with
``@openapi_part``: a function returning ``{"paths": {...}, "schemas": {...}}``, called each time the
document is built. So ``lms.api`` assembles the document without importing the features, and a
feature's API module imports nothing above itself. JSON errors are ``lms.errors.json_error``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint

bp = Blueprint("api", "lms.api")

OpenApiPart = Callable[[], dict[str, dict[str, Any]]]
_PARTS: list[OpenApiPart] = []


def openapi_part(build: OpenApiPart) -> OpenApiPart:
    """Register ``build`` (returning ``paths`` and ``schemas``) for the OpenAPI document."""
    if build not in _PARTS:
        _PARTS.append(build)
    return build


def openapi_parts() -> tuple[dict[str, Any], dict[str, Any]]:
    """The registered paths and schemas, merged in registration order."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for build in _PARTS:
        part = build()
        paths.update(part.get("paths", {}))
        schemas.update(part.get("schemas", {}))
    return paths, schemas


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def schema_ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def error_response(description: str) -> dict:
    """A documented error status: its body is the shared ``Error`` schema."""
    return {"description": description, "content": json_content(schema_ref("Error"))}

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, jsonify, request

from lms.api import bp
from lms.auth import services as auth
from lms.db import utcnow
from lms.errors import json_error
from lms.extensions import db


def token_required(scope: str) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            if not header.startswith("Bearer "):
                return json_error(
                    401, "Missing bearer token (Authorization: Bearer <token>).", "unauthorized"
                )
            token = auth.find_api_token(header[7:].strip())
            if token is None:
                return json_error(401, "Invalid, expired or revoked token.", "unauthorized")
            if scope not in token.scope_list:
                return json_error(
                    403, f"This token lacks the scope '{scope}'.", "insufficient_scope"
                )
            token.last_used_at = utcnow()
            db.session.commit()
            g.api_token = token
            return view(*args, **kwargs)

        wrapped.api_scope = scope  # type: ignore[attr-defined]
        return wrapped

    return decorator


@bp.route("/me")
@token_required("profile:read")
def me():  # noqa: ANN201
    user = g.api_token.user
    emp = user.employee
    return jsonify(
        username=user.username,
        name=user.name,
        roles=sorted(r.value for r in user.roles),
        nip=emp.nip if emp else None,
        scopes=g.api_token.scope_list,
    )


@bp.route("/openapi.json")
def openapi():  # noqa: ANN201
    error = {"$ref": "#/components/schemas/Error"}
    return jsonify(
        {
            "openapi": "3.1.0",
            "info": {"title": "Akademi ASN API", "version": "1"},
            "servers": [{"url": "/api/v1"}],
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                "schemas": {
                    "Error": {
                        "type": "object",
                        "required": ["error"],
                        "properties": {
                            "error": {
                                "type": "object",
                                "required": ["code", "message"],
                                "properties": {
                                    "code": {"type": "string"},
                                    "message": {"type": "string"},
                                },
                            }
                        },
                    }
                },
            },
            "paths": {
                "/me": {
                    "get": {
                        "summary": "The account behind the token (scope profile:read)",
                        "security": [{"bearer": []}],
                        "responses": {
                            "200": {
                                "description": "Account",
                                "content": {"application/json": {"schema": {"type": "object"}}},
                            },
                            "401": {
                                "description": "No or bad token",
                                "content": {"application/json": {"schema": error}},
                            },
                            "403": {
                                "description": "Missing scope",
                                "content": {"application/json": {"schema": error}},
                            },
                        },
                    }
                },
                "/openapi.json": {
                    "get": {
                        "summary": "This document",
                        "responses": {"200": {"description": "OpenAPI"}},
                    }
                },
            },
        }
    )

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, jsonify, request
from flask_babel import gettext as _

from lms.apikit import bp, error_response, json_content, openapi_parts, schema_ref
from lms.auth import services as auth
from lms.completion.queries import CursorError, decode_cursor, encode_cursor
from lms.db import utcnow
from lms.errors import json_error
from lms.extensions import db
from lms.integrations.feed import (
    FEED_LIMIT_DEFAULT,
    FEED_LIMIT_MAX,
    events_after,
    feed_item,
    feed_limit,
)
from lms.reports.filters import Scope


def token_required(scope: str) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            if not header.startswith("Bearer "):
                return json_error(
                    401,
                    _("Token tidak ada. Kirim header Authorization: Bearer <token>."),
                    "unauthorized",
                )
            token = auth.find_api_token(header[7:].strip())
            if token is None:
                return json_error(
                    401, _("Token tidak valid, kedaluwarsa, atau sudah dicabut."), "unauthorized"
                )
            if scope not in token.scope_list:
                return json_error(
                    403,
                    _("Token ini tidak memiliki cakupan '%(s)s'.", s=scope),
                    "insufficient_scope",
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
def me():
    user = g.api_token.user
    emp = user.employee
    return jsonify(
        username=user.username,
        name=user.name,
        roles=sorted(r.value for r in user.roles),
        nip=emp.nip if emp else None,
        scopes=g.api_token.scope_list,
    )


@bp.route("/completions")
@token_required("completions:read")
def completions():
    """The completion feed (CONTRACT.md): outbox events in ``seq`` order behind an opaque cursor.

    ``next_cursor`` is always present: after the last item, or the cursor given when nothing is
    new, so a consumer polls with it; replaying a cursor returns the same events (de-duplicate by
    ``event_id``). The token reads as its owner (lms/integrations/feed.py): BKPSDM and
    system-administrator tokens every department, an Admin OPD's their department, a supervisor's
    their team and themselves, an employee's only their own completions. An account that may see
    no one's completions (a trainer or partner without an employee record) is refused rather than
    given an empty feed that looks like "nothing happened".
    """
    scope = Scope.for_owner(g.api_token.user)
    if scope.is_empty:
        return json_error(
            403,
            _("Akun pemilik token ini tidak boleh membaca data penyelesaian siapa pun."),
            "forbidden",
        )
    since = request.args.get("since", "")
    try:
        after = decode_cursor(since)
    except CursorError:
        return json_error(
            400,
            _("Nilai 'since' tidak valid: gunakan next_cursor dari jawaban sebelumnya."),
            "bad_request",
        )
    limit = feed_limit(request.args.get("limit", ""))
    if limit is None:
        return json_error(
            400,
            _("Nilai 'limit' tidak valid: isi bilangan bulat 1 sampai %(n)s.", n=FEED_LIMIT_MAX),
            "bad_request",
        )
    events = events_after(scope, after, limit)
    next_cursor = encode_cursor(events[-1].seq) if events else (since or encode_cursor(0))
    return jsonify(items=[feed_item(event) for event in events], next_cursor=next_cursor)


def openapi_document() -> dict:
    """The OpenAPI 3.1 description of every /api/v1 route: this module's, and the parts features
    registered with ``lms.apikit.openapi_part``."""
    feature_paths, feature_schemas = openapi_parts()
    nullable_string = {"type": ["string", "null"]}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Akademi ASN API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token (flask --app lms api-token create) with scopes.",
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {
                                    "type": "string",
                                    "examples": ["bad_request", "unauthorized", "not_found"],
                                },
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
                "CompletionEvent": {
                    "type": "object",
                    "description": "One outbox event; consumers de-duplicate by event_id.",
                    "required": [
                        "event_id",
                        "type",
                        "nip",
                        "name",
                        "unit",
                        "course_code",
                        "course_title",
                        "jp",
                        "completed_at",
                        "score",
                        "certificate_number",
                    ],
                    "properties": {
                        "event_id": {"type": "string", "format": "uuid"},
                        "type": {
                            "type": "string",
                            "enum": ["completion.created", "completion.revoked"],
                        },
                        "occurred_at": {"type": "string", "format": "date-time"},
                        "nip": {"type": "string"},
                        "name": {"type": "string"},
                        "unit": {"type": "string"},
                        "opd": {"type": "string"},
                        "course_code": {"type": "string"},
                        "course_title": {"type": "string"},
                        "kind": {"type": "string", "enum": ["course", "programme"]},
                        "jp": {"type": "number"},
                        "competency_kind": {"type": "string"},
                        "jenis_diklat_code": {"type": ["integer", "null"]},
                        "completed_at": {"type": "string", "format": "date-time"},
                        "year": {"type": "integer", "description": "The year the JP counts in"},
                        "score": {"type": ["number", "null"]},
                        "certificate_number": {
                            **nullable_string,
                            "description": "Null on completion.revoked events",
                        },
                        "completion_id": {"type": "integer"},
                        "revoked_at": {**nullable_string, "format": "date-time"},
                        "revoke_reason": nullable_string,
                    },
                },
                "CompletionFeed": {
                    "type": "object",
                    "required": ["items", "next_cursor"],
                    "properties": {
                        "items": {"type": "array", "items": schema_ref("CompletionEvent")},
                        "next_cursor": {
                            "type": "string",
                            "description": "Pass as `since` next time; unchanged when no items.",
                        },
                    },
                },
                **feature_schemas,
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
                            "content": json_content({"type": "object"}),
                        },
                        "401": error_response("No or bad token"),
                        "403": error_response("Missing scope"),
                    },
                }
            },
            "/completions": {
                "get": {
                    "summary": "Completion feed (scope completions:read)",
                    "description": (
                        "Completion and revocation events in the order they were committed. "
                        "Start without `since`, then pass `next_cursor`; replaying a cursor "
                        "returns the same events, so de-duplicate by `event_id`. A token reads "
                        "as its account: BKPSDM and system administrators every department, an "
                        "Admin OPD their department, a supervisor their team and themselves, "
                        "an employee their own completions."
                    ),
                    "security": [{"bearer": []}],
                    "parameters": [
                        {
                            "name": "since",
                            "in": "query",
                            "required": False,
                            "description": "An opaque cursor from `next_cursor`",
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": FEED_LIMIT_MAX,
                                "default": FEED_LIMIT_DEFAULT,
                            },
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "A page",
                            "content": json_content(schema_ref("CompletionFeed")),
                        },
                        "400": error_response("Bad `since` or `limit`"),
                        "401": error_response("No or bad token"),
                        "403": error_response(
                            "The token lacks completions:read, or its account may see no one's"
                        ),
                    },
                }
            },
            **feature_paths,
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI"}},
                }
            },
        },
    }


@bp.route("/openapi.json")
def openapi():
    return jsonify(openapi_document())

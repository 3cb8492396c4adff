"""``flask --app lms users ...`` and ``flask --app lms api-token ...`` (CONTRACT.md)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.auth import services as auth
from lms.auth.models import ApiToken, User
from lms.extensions import db
from lms.org.models import Employee
from lms.permissions import ASSIGNABLE_ROLES, Role

users = AppGroup("users", help="Accounts.")
tokens = AppGroup("api-token", help="API tokens for integrations.")


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@users.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="Role, repeatable.")
@click.option("--password", default=None, help="Prompted when omitted.")
@click.option("--nip", default=None, help="Link the account to this employee.")
def users_create(
    username: str, roles: tuple[str, ...], password: str | None, nip: str | None
) -> None:
    valid = {r.value for r in ASSIGNABLE_ROLES} | {Role.PEGAWAI.value}
    bad = [r for r in roles if r not in valid]
    if bad:
        _fail(f"unknown role {', '.join(bad)}; choose from {', '.join(sorted(valid))}")
    employee = None
    if nip:
        employee = db.session.scalar(select(Employee).where(Employee.nip == nip))
        if employee is None:
            _fail(f"no employee with NIP {nip}")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = auth.create_user(
            username, password, {Role(r) for r in roles if r != "pegawai"}, employee=employee
        )
    except auth.AuthError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"created user {user.username} (id {user.id})")


@tokens.command("create")
@click.argument("username")
@click.option("--scope", "scopes", multiple=True, required=True)
@click.option("--name", default="", help="What the token is for.")
def token_create(username: str, scopes: tuple[str, ...], name: str) -> None:
    """Print a new API token once; only its hash is stored."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        _fail(f"no user named {username}")
    parts = [s for scope in scopes for s in scope.replace(",", " ").split()]
    try:
        _token, secret = auth.create_api_token(user, parts, name)
    except auth.AuthError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(secret)


@tokens.command("revoke")
@click.argument("prefix")
def token_revoke(prefix: str) -> None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    if token is None:
        _fail(f"no token with prefix {prefix}")
    auth.revoke_api_token(None, token)
    db.session.commit()
    click.echo(f"revoked {prefix}")

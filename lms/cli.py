"""``flask --app lms ...`` commands (CONTRACT.md). Exit 0 on success, non-zero with a reason."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, inspect, select

from lms.extensions import db


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def register_cli(app: Flask) -> None:
    demo = AppGroup("demo", help="Demo data.")
    users = AppGroup("users", help="Accounts.")
    tokens = AppGroup("api-token", help="API tokens for integrations.")
    reference = AppGroup("reference", help="Reference data from content/reference.")
    org = AppGroup("org", help="Organisation and employees.")

    @demo.command("load")
    def demo_load() -> None:
        """Demo organisation, demo accounts and reference data; idempotent."""
        from flask import current_app

        from lms.org.demo import load_demo

        if current_app.config["ENV_NAME"] == "production":
            _fail("demo load is refused when LMS_ENV=production")
        from config import BASE_DIR
        from lms.courses.loader import load_content

        counts = load_demo()
        loaded = load_content(BASE_DIR / "content")
        counts.update(courses_created=loaded.created, course_errors=len(loaded.errors))
        from lms.completion.demo import load_demo_completion
        from lms.tasks import run_ready

        counts.update(demo_completion=int(load_demo_completion()))
        db.session.commit()
        run_ready()  # the demo certificate's PDF, rendered in-process without a broker
        for e in loaded.errors:
            click.echo(f"content: {e['file']}: {e['message']}", err=True)
        click.echo("Demo loaded: " + ", ".join(f"{k}={v}" for k, v in counts.items()))

    @demo.command("needed")
    def demo_needed() -> None:
        """Exit 0 when the database has no accounts yet (used by `make run`)."""
        from lms.auth.models import User

        if not inspect(db.engine).has_table("users"):
            sys.exit(0)
        sys.exit(0 if not db.session.scalar(select(func.count(User.id))) else 1)

    content = AppGroup("content", help="Courses and programmes from a content folder.")

    @content.command("load")
    @click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option("--json", "as_json", is_flag=True)
    def content_load(path: Path, as_json: bool) -> None:
        """Load or update courses idempotently; a course with errors is skipped and reported."""
        from lms.courses.loader import load_content

        result = load_content(path)
        db.session.commit()
        if as_json:
            click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            for e in result.errors:
                where = f"{e['file']}:{e['line']}" if "line" in e else e["file"]
                click.echo(f"{where}: {e['message']}", err=True)
            click.echo(
                f"created={result.created} updated={result.updated} errors={len(result.errors)}"
            )
        if result.errors:
            sys.exit(1)

    @reference.command("load")
    def reference_load() -> None:
        from lms.org.reference import load_reference

        counts = load_reference()
        db.session.commit()
        click.echo("Reference data: " + ", ".join(f"{k}={v}" for k, v in counts.items()))

    @users.command("create")
    @click.argument("username")
    @click.option("--role", "roles", multiple=True, required=True, help="Role, repeatable.")
    @click.option("--password", default=None, help="Prompted when omitted.")
    @click.option("--nip", default=None, help="Link the account to this employee.")
    def users_create(
        username: str, roles: tuple[str, ...], password: str | None, nip: str | None
    ) -> None:
        from lms.auth import services as auth
        from lms.org.models import Employee
        from lms.permissions import ASSIGNABLE_ROLES, Role

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
        from lms.auth import services as auth
        from lms.auth.models import User

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
        from lms.auth import services as auth
        from lms.auth.models import ApiToken

        token = db.session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
        if token is None:
            _fail(f"no token with prefix {prefix}")
        auth.revoke_api_token(None, token)
        db.session.commit()
        click.echo(f"revoked {prefix}")

    @org.command("import-employees")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Validate only.")
    @click.option("--json", "as_json", is_flag=True)
    def import_employees(path: Path, dry_run: bool, as_json: bool) -> None:
        """Import employees from CSV or XLSX: every bad row is reported and nothing is written."""
        from lms.org import services

        preview = services.preview_import(path.name, path.read_bytes())
        result = {
            "created": 0,
            "updated": 0,
            "errors": [e.as_dict() for e in preview.errors]
            + [{"row": 0, "column": "", "message": m} for m in preview.file_errors],
        }
        if preview.ok and not dry_run:
            result["created"], result["updated"] = services.apply_import(preview)
            db.session.commit()
        elif preview.ok:
            result["created"], result["updated"] = preview.new_count, preview.update_count
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            for e in result["errors"]:
                click.echo(f"row {e['row']} {e['column']}: {e['message']}", err=True)
            click.echo(
                f"created={result['created']} updated={result['updated']} errors={len(result['errors'])}"
            )
        if result["errors"]:
            sys.exit(1)

    quiz = AppGroup("quiz", help="Question banks.")

    @quiz.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--format", "fmt", type=click.Choice(["gift", "aiken"]), required=True)
    @click.option("--course", "code", default=None, help="Course code; not needed with --dry-run.")
    @click.option("--category", default=None, help="Category for questions the file leaves out.")
    @click.option("--dry-run", is_flag=True, help="Check the file only; store nothing.")
    @click.option("--json", "as_json", is_flag=True)
    def quiz_import(
        path: Path, fmt: str, code: str | None, category: str | None, dry_run: bool, as_json: bool
    ) -> None:
        """Import questions; bad questions are reported by line while the good ones import."""
        from lms.courses.models import Course
        from lms.quizzes import services as bank

        course = None
        if not dry_run:
            if not code:
                _fail("--course is required unless --dry-run is given")
            course = db.session.scalar(select(Course).where(Course.code == code))
            if course is None:
                _fail(f"no course with code {code}")
        parsed = bank.parse_upload(path.read_bytes(), fmt)
        by_type = parsed.by_type()
        if course is not None and parsed.questions:
            by_type = bank.import_questions(course, parsed, category)
            db.session.commit()
        result = {
            "imported": sum(by_type.values()),
            "by_type": by_type,
            "errors": [{"line": e.line, "message": e.message} for e in parsed.errors],
        }
        if dry_run:
            result["dry_run"] = True
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            for e in result["errors"]:
                click.echo(f"line {e['line']}: {e['message']}", err=True)
            counts = ", ".join(f"{k}={v}" for k, v in sorted(by_type.items()))
            verb = "would import" if dry_run else "imported"
            click.echo(
                f"{verb} {result['imported']} questions ({counts}); errors={len(parsed.errors)}"
            )
        if not parsed.questions:
            reason = parsed.errors[0].message if parsed.errors else "the file holds no questions"
            _fail(f"nothing imported: {reason}")

    @quiz.command("sweep")
    def quiz_sweep() -> None:
        """Submit every attempt whose time is up (run from cron or Celery beat)."""
        from lms.quizzes.attempts import sweep_and_commit

        click.echo(f"{sweep_and_commit()} attempt(s) submitted")

    from lms.completion.cli import completions
    from lms.integrations.cli import register_cli as register_integrations_cli

    register_integrations_cli(app)

    from lms.imports import imports_cli
    from lms.reports.cli import reports

    for group in (
        demo,
        users,
        tokens,
        reference,
        org,
        content,
        quiz,
        completions,
        reports,
        imports_cli,
    ):
        app.cli.add_command(group)

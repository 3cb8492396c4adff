"""The autosave's hot path: one guarded INSERT … ON CONFLICT statement per answer, no ORM objects.

The slow path (:func:`lms.quizzes.attempts.services.save_answer`) says why a save was refused;
this one only stores an answer when every condition holds, in one statement.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, and_, bindparam, cast, exists, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from lms.auth.models import User
from lms.db import utcnow
from lms.quizzes.attempts.services import GRACE, _clean_response, _replacing_answer
from lms.quizzes.models import (
    AttemptAnswer,
    QuizAttempt,
)


def save_answer_quickly(
    connection: Connection,
    attempt_id: int,
    account: tuple[int, int],
    question_id: int,
    response: Any,
    now: datetime | None = None,
) -> int | None:
    """The autosave's hot path: one statement on ``connection``, no ORM objects; the answer's id.

    It stores the answer only if ``account`` (id, session version) is active at that version and
    is the employee whose attempt it is, the attempt is in progress and within its time plus
    grace, and it holds the question. On PostgreSQL it takes a share lock on the attempt row, so
    a save racing the submit's ``FOR UPDATE`` either lands before grading or finds the attempt
    submitted. None when any condition fails: the caller then takes :func:`save_answer`'s path,
    which says why (and submits an overdue attempt). Odd response shapes raise AttemptError.
    The statement is whole on its own: the caller may run it in autocommit.
    """
    now = now or utcnow()
    values = {
        "attempt_id": attempt_id,
        "user_id": account[0],
        "session_version": account[1],
        "question_id": question_id,
        "question_list": [question_id],
        "response": _clean_response(response),
        "saved_at": now,
        "cutoff": now - GRACE,
    }
    statement = _guarded_answer_upsert(connection.dialect.name)
    return connection.execute(statement, values).scalar_one_or_none()


@lru_cache(maxsize=4)
def _guarded_answer_upsert(dialect: str) -> Any:
    """INSERT … SELECT FROM the account's open attempt … ON CONFLICT DO UPDATE … RETURNING id."""
    attempts = QuizAttempt.__table__
    answers = AttemptAnswer.__table__
    users = User.__table__
    if dialect == "postgresql":
        holds = cast(attempts.c.question_order, JSONB).contains(
            bindparam("question_list", type_=JSONB)
        )
    else:  # SQLite: the JSON array's elements as a table
        each = func.json_each(attempts.c.question_order).table_valued("value")
        holds = exists().select_from(each).where(each.c.value == bindparam("question_id"))
    source = (
        select(
            attempts.c.id,
            bindparam("question_id", type_=Integer),
            bindparam("response", type_=JSON(none_as_null=True)),
            bindparam("saved_at", type_=DateTime(timezone=True)),
        )
        .select_from(attempts.join(users, users.c.employee_id == attempts.c.employee_id))
        .where(
            and_(
                attempts.c.id == bindparam("attempt_id"),
                users.c.id == bindparam("user_id"),
                users.c.session_version == bindparam("session_version"),
                users.c.active.is_(True),
                attempts.c.status == "in_progress",
                or_(
                    attempts.c.deadline_at.is_(None),
                    attempts.c.deadline_at >= bindparam("cutoff", type_=DateTime(timezone=True)),
                ),
                holds,
            )
        )
    )
    if dialect == "postgresql":
        source = source.with_for_update(read=True, of=attempts)
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(answers).from_select(
        ["attempt_id", "question_id", "response", "saved_at"], source
    )
    return _replacing_answer(stmt)

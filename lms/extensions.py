"""Extensions, created without an app and bound in ``create_app``; and the generation tokens
that name the current state of what ``cache`` keeps (:func:`generation`, :func:`bump_generation`).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context
from flask_babel import Babel
from flask_caching import Cache
from flask_caching.backends import RedisCache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from lms.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
#: Shared parts of pages (lms.courses.cache): Redis when LMS_REDIS_URL is set, else in-process.
cache = Cache()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

log = logging.getLogger(__name__)

#: A generation file that grows past this many bytes (one a bump) is started afresh.
GENERATION_FILE_LIMIT = 64 * 1024
_NAME = re.compile(r"[a-z0-9][a-z0-9_.:-]*")


def drop_idle_limit_check(app: Flask) -> None:
    """Flask-Limiter checks every request in a before-request hook, for application, default
    and blueprint limits; the limits here are on routes (``limiter.limit``/``shared_limit``),
    which check themselves inside the view's wrapper. With none of the others configured the
    hook finds nothing to count on every page, so it is left out (about 6 % of a cached
    catalogue page). Any such limit configured keeps it."""
    manager = limiter.limit_manager
    if (
        manager.application_limits
        or manager.default_limits
        or getattr(manager, "_blueprint_limits", True)
        or getattr(limiter, "_meta_limits", True)
        or getattr(limiter, "_in_memory_fallback", True)
    ):
        return
    hooks = app.before_request_funcs.get(None, [])
    app.before_request_funcs[None] = [h for h in hooks if h != limiter._check_request_limit]


def cache_is_shared(app: Flask | None = None) -> bool:
    """Whether ``cache`` is one store for every process (Redis), not this process's memory."""
    return isinstance((app or current_app).extensions["cache"][cache], RedisCache)


T = TypeVar("T")


def kept(key: str, build: Callable[[], T], timeout: int | None = None) -> T:
    """What ``cache`` keeps under ``key``, else ``build()``, then kept there for ``timeout``
    seconds (None: the cache's default). The cache answers None for nothing kept (a NullCache
    always does), so a built None is built again on the next call; False, "" or an empty list
    are kept like any value. ``timeout`` 0 keeps nothing and asks the cache nothing, as the
    ``*_SECONDS`` settings at 0 do (unlike ``cache.set``'s 0: for ever)."""
    if timeout == 0:
        return build()
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, timeout=timeout)
    return found


def generation(name: str) -> str:
    """The token of the current state of ``name``: what is kept under it is keyed by it, so a
    :func:`bump_generation` makes every process miss the old entries, which then expire.

    With Redis the token is a random one in the cache (``name`` is its key). Otherwise it is a
    file ``CACHE_GENERATION_DIR/name`` that every process on the machine sees: a bump appends a
    byte, so its inode, size and modification time are the token, read with one ``os.stat``
    (2 µs) and never the same twice.

    Within one request a name is read once (a page asks for the same generation in several
    kept parts): a bump in the request (after its own commit) forgets it there."""
    memo = _request_memo()
    if memo is not None and name in memo:
        return memo[name]
    token = _read_token(name)
    if memo is not None:
        memo[name] = token
    return token


def _no_memo() -> None:
    return None


#: Where one request keeps the tokens it read (installed by ``create_app``: extensions know no
#: request); None outside a request.
_request_memo: Callable[[], dict[str, str] | None] = _no_memo


def memoise_generations_in(store: Callable[[], dict[str, str] | None]) -> None:
    global _request_memo
    _request_memo = store


def _read_token(name: str) -> str:
    path = _file_of(current_app._get_current_object(), name)
    if path is None:
        return _cached_token(name)
    try:
        try:
            found = os.stat(path)
        except FileNotFoundError:
            _append(path)
            found = os.stat(path)
    except OSError:
        _warn_once(path, "generation file %s unusable: kept per process", exc_info=True)
        return "local-" + _cached_token(name)
    return f"{found.st_ino:x}.{found.st_size:x}.{found.st_mtime_ns:x}"


def bump_generation(name: str) -> None:
    """Start a new state of ``name`` for every process (see :func:`generation`)."""
    memo = _request_memo()
    if memo is not None:
        memo.pop(name, None)
    path = _file_of(current_app._get_current_object(), name)
    if path is None:
        _new_token(name)
        return
    try:
        _append(path)
    except OSError:
        # Not shared then: this process at least forgets its own entries, the others keep
        # theirs CACHE_LOCAL_TIMEOUT seconds at most (how it was before the files).
        _warn_once(path, "generation file %s not writable: this process's cache cleared")
        cache.clear()


_warned: set[tuple[Path, str]] = set()


def _warn_once(path: Path, message: str, exc_info: bool = False) -> None:
    """Once a process and file, not on every page."""
    if (path, message) not in _warned:
        _warned.add((path, message))
        log.warning(message, path, exc_info=exc_info)


def _cached_token(name: str) -> str:
    found = cache.get(name)
    return _new_token(name) if found is None else found


def _new_token(name: str) -> str:
    """A fresh random token, never a counter: a token evicted and made again can never name
    entries of an older state."""
    token = uuid.uuid4().hex[:16]
    cache.set(name, token, timeout=0)
    return token


def _file_of(app: Flask, name: str) -> Path | None:
    """The generation file of ``name``, None when the cache is Redis (read on every kept part:
    no proxy or path work beyond a lookup)."""
    if cache_is_shared(app):
        return None
    folder = app.config.get("CACHE_GENERATION_DIR") or os.path.join(
        app.instance_path, "generations"
    )
    return _path_in(folder, name)


@functools.lru_cache(maxsize=4096)
def _path_in(folder: str, name: str) -> Path:
    if not _NAME.fullmatch(name):
        raise ValueError(f"invalid generation name: {name!r}")
    return Path(folder) / name.replace(":", ".")


def _append(path: Path) -> None:
    """One byte more: an append of one byte is atomic, so bumps of several processes at once
    each give a size of their own. A file grown past the limit is replaced by an empty one
    (written aside, then renamed over it): a new inode, so a new token too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, b".")
        size = os.fstat(fd).st_size
    finally:
        os.close(fd)
    if size >= GENERATION_FILE_LIMIT:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".gen-")
        os.close(fd)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)


class WatchedGeneration:
    """A generation (:func:`generation`) that starts anew after every commit that wrote a row of
    one of ``models``, from any feature and any process: through the ORM (``counts`` may pass
    over an object whose change no kept entry shows) or a bulk ``update()``/``delete()``/
    ``insert()`` of one of their tables through the session. Bumped after the commit, not
    before: a page built in between would keep the old state under the new token. A write that
    goes around the session (raw SQL in a shell) is not seen: what is kept under a watched
    generation expires too."""

    def __init__(
        self, name: str, models: tuple[type, ...], counts: Callable[[object], bool] | None = None
    ) -> None:
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        self.name = name
        self.models: tuple[type, ...] = models
        self.counts = counts
        self._flag = f"generation_changed:{name}"
        event.listen(Session, "after_flush", self._note_changes)
        event.listen(Session, "do_orm_execute", self._note_bulk_writes)
        event.listen(Session, "after_commit", self._bump_after_commit)
        event.listen(Session, "after_rollback", self._forget_changes)

    def watch(self, *models: type) -> None:
        """Watch ``models`` too (a feature above registers the rows a kept entry lists)."""
        self.models = (*self.models, *(m for m in models if m not in self.models))

    def token(self) -> str:
        return generation(self.name)

    def bump(self) -> None:
        bump_generation(self.name)

    def _written(self, obj: object, session: Any, dirty: bool) -> bool:
        if not isinstance(obj, self.models):
            return False
        if dirty and not session.is_modified(obj):
            return False  # attributes set to what they were: nothing written
        if obj in session.deleted:
            # Still persistent with its attributes unchanged in the flush: ``counts``, which
            # judges a change of attributes, would pass over a row that is gone.
            return True
        return self.counts is None or self.counts(obj)

    @staticmethod
    def _groups(session: Any) -> tuple[tuple[Any, bool], ...]:
        return ((session.new, False), (session.dirty, True), (session.deleted, False))

    def _note_changes(self, session: Any, _context: Any) -> None:
        # new/dirty/deleted and the attributes' history still show what this flush wrote.
        if session.info.get(self._flag):
            return
        for group, dirty in self._groups(session):
            if any(self._written(obj, session, dirty) for obj in group):
                session.info[self._flag] = True
                return

    def _note_bulk_writes(self, state: Any) -> None:
        if not (state.is_update or state.is_delete or state.is_insert):
            return
        table = getattr(getattr(state.statement, "table", None), "name", None)
        if any(model.__table__.name == table for model in self.models):
            state.session.info[self._flag] = True

    def _bump_after_commit(self, session: Any) -> None:
        if session.info.pop(self._flag, False) and has_app_context():
            self.bump()

    def _forget_changes(self, session: Any) -> None:
        session.info.pop(self._flag, None)


class PersonalGeneration(WatchedGeneration):
    """A :class:`WatchedGeneration` with one more generation per person: a written row whose
    ``person`` column (e.g. ``employee_id``) is known starts a new generation for that person
    only (both people when the column moved from one to the other); a row without one (or of a
    watched model that has no such column: a cohort, a programme), a bulk write, or a commit
    touching more than ``MAX_PEOPLE`` people starts a new one for everybody.
    ``token(person_id)`` names both, so what is kept of one person misses after a write of
    theirs and stays kept through everybody else's.

    A watched model without the ``person`` column names in ``via`` the row that has it: with
    ``via={LessonProgress: ("enrolment_id", Enrolment)}`` a progress row is the person's of its
    enrolment (taken from the session when loaded there, else read in the flush; an enrolment
    not found starts a new generation for everybody)."""

    MAX_PEOPLE = 100

    def __init__(
        self,
        name: str,
        models: tuple[type, ...],
        person: str,
        via: dict[type, tuple[str, type]] | None = None,
    ) -> None:
        super().__init__(name, (*models, *(via or {})))
        self.person = person
        self.via = dict(via or {})
        self._people = f"generation_people:{name}"

    def token(self, person_id: int | None = None) -> str:
        shared = generation(self.name)
        if person_id is None:
            return shared
        return f"{shared}/{generation(f'{self.name}:{int(person_id)}')}"

    def _note_changes(self, session: Any, _context: Any) -> None:
        if session.info.get(self._flag):
            return
        people: set[int] = session.info.setdefault(self._people, set())
        for group, dirty in self._groups(session):
            for obj in group:
                if not self._written(obj, session, dirty):
                    continue
                found = self._people_of(session, obj)
                if not found or len(people) + len(found) > self.MAX_PEOPLE:
                    session.info[self._flag] = True
                    return
                people.update(found)

    def _people_of(self, session: Any, obj: object) -> set[int]:
        """The people a written row is of: its ``person`` before and after the write, or (a
        model in ``via``) the ``person`` of each row it pointed at, before and after."""
        link = self.via.get(type(obj))
        if link is None:
            # a watched model without the column (a cohort, a programme): everybody's state
            return _values(obj, self.person) if self.person in sa_inspect(obj).attrs else set()
        found = _values(obj, link[0])
        owner = link[1]
        people: set[int] = set()
        for owner_id in found:
            kept = session.identity_map.get(session.identity_key(owner, owner_id))
            person = None if kept is None else sa_inspect(kept).dict.get(self.person)
            if person is None:  # not in the session (or expired): one small read in the flush
                column = getattr(owner, self.person)
                key = sa_inspect(owner).primary_key[0]
                person = session.execute(select(column).where(key == owner_id)).scalar()
            if person is None:
                return set()  # gone with its owner: nobody known, so everybody
            people.add(person)
        return people

    def _bump_after_commit(self, session: Any) -> None:
        people = session.info.pop(self._people, set())
        if not has_app_context():
            session.info.pop(self._flag, None)
            return
        if session.info.pop(self._flag, False):
            self.bump()
            return
        for person_id in people:
            bump_generation(f"{self.name}:{int(person_id)}")

    def _forget_changes(self, session: Any) -> None:
        super()._forget_changes(session)
        session.info.pop(self._people, None)


def _values(obj: object, attribute: str) -> set[Any]:
    """The values ``attribute`` of ``obj`` had and has in this flush (none of them None)."""
    history = sa_inspect(obj).attrs[attribute].history
    return {v for v in (*history.added, *history.unchanged, *history.deleted) if v}

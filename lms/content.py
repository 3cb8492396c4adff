"""Load courses from a content folder (course.yaml + lesson Markdown + GIFT post-test).

It orchestrates from above the features it fills: courses, their question bank and post-test
quiz, and the programmes of a content root; ``flask content load`` runs it.

Idempotent: each course version remembers a fingerprint of its source files; loading unchanged
files does nothing, and a changed course gets a new published version whose lessons keep stable
keys (derived from the course code and lesson file), so learners keep their progress.
A course with any error is skipped whole and reported with its file (and line for GIFT).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from lms.auth.models import PartnerInstitution
from lms.courses import services
from lms.courses.models import Course, CourseVersion, Lesson, Module
from lms.courses.rendering import render_markdown
from lms.enrolments.cohorts.loader import load_programmes
from lms.extensions import db
from lms.quizzes.attempts.services import save_quiz
from lms.quizzes.bank.formats.gift import parse_gift
from lms.quizzes.bank.services import POSTTEST_QUESTIONS, default_draw, import_questions
from lms.quizzes.models import Question, Quiz

REQUIRED_KEYS = ("code", "title", "category", "competency_kind", "jp", "modules")


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "errors": self.errors}


class _Skip(Exception):
    def __init__(self, file: Path, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.file, self.message, self.line = file, message, line


def lesson_key(code: str, file: str) -> str:
    return hashlib.sha256(f"{code}/{file}".encode()).hexdigest()[:32]


def _course_dirs(root: Path) -> list[Path]:
    if (root / "course.yaml").exists():
        return [root]
    base = root / "courses" if (root / "courses").is_dir() else root
    return sorted(p for p in base.iterdir() if (p / "course.yaml").exists())


def _read_course(
    folder: Path,
) -> tuple[dict[str, Any], list[tuple[dict, list[tuple[dict, str]]]], str]:
    source = folder / "course.yaml"
    digest = hashlib.sha256()
    try:
        raw = source.read_bytes()
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise _Skip(source, f"YAML tidak valid: {exc}") from None
    digest.update(raw)
    if not isinstance(data, dict):
        raise _Skip(source, "course.yaml harus berisi pemetaan (key: value).")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise _Skip(source, f"kunci wajib tidak ada: {', '.join(missing)}")
    modules = []
    for m_index, module in enumerate(data["modules"] or [], start=1):
        if not isinstance(module, dict) or not module.get("title"):
            raise _Skip(source, f"modul ke-{m_index} tidak memiliki judul")
        lessons = []
        for lesson in module.get("lessons") or []:
            path = folder / str(lesson.get("file", ""))
            if (
                not lesson.get("file")
                or not path.is_file()
                or folder.resolve() not in path.resolve().parents
            ):
                raise _Skip(source, f"berkas pelajaran tidak ditemukan: {lesson.get('file')}")
            try:
                body = path.read_bytes()
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise _Skip(path, "berkas pelajaran bukan UTF-8") from None
            digest.update(body)
            lessons.append((lesson, text))
        modules.append((module, lessons))
    post = data.get("posttest") or {}
    if post.get("file"):
        gift_path = folder / post["file"]
        if not gift_path.is_file():
            raise _Skip(source, f"berkas post-test tidak ditemukan: {post['file']}")
        gift = gift_path.read_bytes()
        digest.update(gift)
        result = parse_gift(gift)
        if result.errors:
            first = result.errors[0]
            raise _Skip(gift_path, first.message, first.line)
        drawn = post.get("questions", 1)
        if isinstance(drawn, bool) or not isinstance(drawn, int) or not 1 <= drawn <= 500:
            raise _Skip(source, "posttest.questions harus bilangan bulat 1 sampai 500")
    return data, modules, digest.hexdigest()


def _meta(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": data["title"],
        "summary": data.get("summary", ""),
        "objectives": data.get("objectives") or [],
        "competency_kind": data["competency_kind"],
        "delivery_mode": data.get("delivery_mode", "e-learning"),
        "jp": data["jp"],
        "jenis_diklat_code": data.get("jenis_diklat"),
        "organiser": data.get("organiser", ""),
        "tags": data.get("tags") or [],
    }


def check_course(folder: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What ``load_course`` would refuse in ``folder``, without writing anything: course.yaml's
    data (empty when unreadable) and the errors, each ``{"file", "message"[, "line"]}``.
    An uploaded Akademi package (lms.packages.akademi) is checked with this before it is kept."""
    try:
        data, _modules, _fingerprint = _read_course(folder)
        services.clean_meta(_meta(data))
    except _Skip as skip:
        error: dict[str, Any] = {"file": str(skip.file), "message": skip.message}
        if skip.line is not None:
            error["line"] = skip.line
        return {}, [error]
    except (services.CourseError, ValueError) as exc:
        field_name = getattr(exc, "field", "")
        return {}, [{"file": str(folder / "course.yaml"), "message": f"{field_name}: {exc}"}]
    return data, []


def _fill(version: CourseVersion, code: str, modules: list) -> None:
    for m_pos, (module, lessons) in enumerate(modules):
        title = services.bare_module_title(str(module["title"]))
        mod = Module(version_id=version.id, position=m_pos, title=title)
        version.modules.append(mod)
        for l_pos, (lesson, text) in enumerate(lessons):
            mod.lessons.append(
                Lesson(
                    version_id=version.id,
                    key=lesson_key(code, lesson["file"]),
                    position=l_pos,
                    title=str(lesson.get("title") or lesson["file"])[:200],
                    body_md=text,
                    body_html=render_markdown(text),
                    minutes=int(lesson.get("minutes") or 0),
                )
            )
    db.session.flush()


def _partner(raw: Any, source: Path) -> PartnerInstitution | None:
    """The course's partner institution: ``partner: CODE`` names a registered one;
    ``partner: {code: CODE, name: NAME}`` also registers it when the code is new."""
    if raw is None or raw == "":
        return None
    code, name = (raw.get("code"), raw.get("name")) if isinstance(raw, dict) else (raw, "")
    code, name = str(code or "").strip(), str(name or "").strip()
    if not code or len(code) > 40:
        raise _Skip(source, "partner: kode lembaga mitra wajib diisi, paling banyak 40 karakter")
    partner = db.session.scalar(select(PartnerInstitution).where(PartnerInstitution.code == code))
    if partner is not None:
        return partner
    if not name or len(name) > 200:
        raise _Skip(
            source,
            f"partner: lembaga mitra {code} belum terdaftar; tulis kode dan namanya "
            "(partner: {code: ..., name: ...}, nama paling banyak 200 karakter) agar didaftarkan",
        )
    partner = PartnerInstitution(code=code, name=name)
    db.session.add(partner)
    db.session.flush()
    return partner


def load_course(folder: Path, result: LoadResult) -> None:
    data, modules, fingerprint = _read_course(folder)
    code = str(data["code"]).strip().upper()
    try:
        meta = services.clean_meta(_meta(data))
    except services.CourseError as exc:
        raise _Skip(folder / "course.yaml", f"{exc.field}: {exc}") from None
    course = db.session.scalar(select(Course).where(Course.code == code))
    if course is not None and any(v.source_hash == fingerprint for v in course.versions):
        result.unchanged += 1
        _ensure_posttest(course, folder, data)
        return
    category = services.category_named(str(data["category"]))
    partner = _partner(data.get("partner"), folder / "course.yaml")
    if course is None:
        try:
            course = services.create_course(code, category, meta, None)
        except services.CourseError as exc:  # e.g. a code outside the allowed characters
            raise _Skip(folder / "course.yaml", f"{exc.field}: {exc}") from None
        version = course.latest_version
        result.created += 1
    else:
        course.category = category
        version = CourseVersion(
            course_id=course.id, number=course.latest_version.number + 1, **meta
        )
        db.session.add(version)
        db.session.flush()
        result.updated += 1
    course.partner = partner
    version.source_hash = fingerprint
    _fill(version, code, modules)
    services.publish(None, version)
    _ensure_posttest(course, folder, data)


def _ensure_posttest(course: Course, folder: Path, data: dict[str, Any]) -> None:
    """The course's post-test from its GIFT file, created once.

    Each attempt draws ``questions`` (default 10) of the bank at random when the bank holds
    more, so a second attempt is not the first one again; the correct answers are shown after
    the last attempt (or when the quiz closes), never while they could help another attempt.
    Later content changes do not replace the questions: learners' attempts point at them. A
    trainer edits the bank in the app (or imports a corrected file and regrades).
    """
    post = data.get("posttest") or {}
    if not post.get("file"):
        return
    exists = db.session.scalar(
        select(Quiz.id).where(Quiz.course_id == course.id, Quiz.kind == "post_test")
    )
    if exists is not None:
        return
    parsed = parse_gift((folder / post["file"]).read_bytes())
    import_questions(course, parsed, "Post-test")
    ids = list(db.session.scalars(select(Question.id).where(Question.course_id == course.id)))
    draw = default_draw(course, int(post.get("questions", POSTTEST_QUESTIONS)))
    save_quiz(
        course,
        None,
        {
            "title": str(post.get("title") or "Post-test")[:200],
            "kind": "post_test",
            "pass_mark": int(post.get("pass_mark", 70)),
            "attempts_allowed": int(post.get("attempts", 3)),
            "time_limit_minutes": int(post["time_limit_minutes"])
            if post.get("time_limit_minutes")
            else None,
            "review": "after_last",
            "grading": "highest",
            "shuffle_answers": True,
            "question_ids": [] if draw else ids,
            "draws": [draw] if draw else [],
        },
    )


def load_content(root: Path) -> LoadResult:
    """Load every course (and programme) below ``root``; each course is all or nothing."""
    result = LoadResult()
    services.ensure_default_categories()
    for folder in _course_dirs(root):
        savepoint = db.session.begin_nested()
        try:
            load_course(folder, result)
        except _Skip as skip:
            savepoint.rollback()
            entry = {"file": str(skip.file), "message": skip.message}
            if skip.line is not None:
                entry["line"] = skip.line
            result.errors.append(entry)
        else:
            savepoint.commit()
    programmes = root / "programmes"
    if programmes.is_dir():
        extra = load_programmes(programmes)
        result.created += extra.get("created", 0)
        result.updated += extra.get("updated", 0)
        result.errors.extend(extra.get("errors", []))
    return result

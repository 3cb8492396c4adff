"""Akademi ASN's own course package: a zip of one course folder of the ``content/`` format
(course.yaml at the zip's root, lesson Markdown, an optional GIFT post-test).

Checked with the content loader's own reading (``lms.content.check_course``), so an upload is
refused for exactly what ``flask content load`` would refuse; an approved one is loaded with
``lms.content.load_course`` (lms.packages.review).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lms.content import check_course
from lms.packages.zipsafe import Problem

COURSE_FILE = "course.yaml"


def _relative(file: str, folder: Path) -> str:
    try:
        return Path(file).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return Path(file).name


def outline_of(data: dict[str, Any]) -> dict[str, Any]:
    """The outline shown to the reviewer: the course's catalogue fields and its lesson titles."""
    modules = []
    for module in data.get("modules") or []:
        lessons = [
            str(lesson.get("title") or lesson.get("file") or "")
            for lesson in (module.get("lessons") or [])
        ]
        modules.append({"title": str(module.get("title") or ""), "lessons": lessons})
    post = data.get("posttest") or {}
    return {
        "kind": "akademi",
        "code": str(data.get("code") or "").strip().upper(),
        "title": str(data.get("title") or ""),
        "jp": str(data.get("jp") or ""),
        "competency_kind": str(data.get("competency_kind") or ""),
        "modules": modules,
        "posttest": bool(post.get("file")),
    }


def check(folder: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The outline of the course in ``folder`` and the problems the content loader finds."""
    data, errors = check_course(folder)
    problems = [
        Problem(
            _relative(e["file"], folder) + (f":{e['line']}" if "line" in e else ""),
            e["message"],
        )
        for e in errors
    ]
    return (None if problems else outline_of(data)), problems

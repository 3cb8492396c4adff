"""Category names from Moodle files, as a trainer should read them.

A GIFT file exported by Moodle names its category with Moodle's context prefix and hidden root:
``$CATEGORY: $course$/top/Default for New Features``. Those are Moodle's bookkeeping, not names:
``$course$``/``$system$``/``$module$``/``$coursecategory$`` say where the category lived, ``top`` is
the root every context has, and "Default for <course>" is the category Moodle creates in each
context. In our bank the course is already known, so the prefix and root are dropped and Moodle's
default category becomes the course bank's default category, ``DEFAULT_CATEGORY``.

The parser keeps the file's text as Moodle reads it (tested against Moodle's fixtures); the bank
stores the clean name (``import_questions``), and migration 0008f cleaned names stored before.
"""

from __future__ import annotations

import re

#: The default category of a course's question bank (Moodle's "Default for <course>").
DEFAULT_CATEGORY = "Umum"

_CONTEXT = re.compile(r"\$[a-z]+\$", re.IGNORECASE)
# One "/" separates levels; Moodle writes a slash inside a name as "//".
_LEVEL = re.compile(r"(?<!/)/(?!/)")


def clean_category(raw: str | None) -> str | None:
    """``$course$/top/Default for New Features`` → ``Umum``; ``$course$/Bab 1`` → ``Bab 1``;
    a name without Moodle's prefix (``MWK-101/Post-test``) is kept as written. None for none."""
    text = " ".join(str(raw or "").split())
    if not text:
        return None
    levels = [level.strip() for level in _LEVEL.split(text)]
    changed = False
    if _CONTEXT.fullmatch(levels[0]):
        levels, changed = levels[1:], True
        if levels and levels[0].casefold() == "top":
            levels = levels[1:]
    if levels and levels[0].casefold().startswith("default for"):
        levels, changed = levels[1:], True
    if not changed:
        return text
    return "/".join(level for level in levels if level) or DEFAULT_CATEGORY

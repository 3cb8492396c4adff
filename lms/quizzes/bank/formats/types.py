"""Plain data shared by the GIFT/Aiken importers, the exporters and the grader.

The shapes are deliberately framework-free (no Flask, no SQLAlchemy) so that a file can be parsed,
previewed and validated before anything touches the database, and so that grading can be unit
tested without an application context. The small helpers at the end (decoding an upload,
naming a question after its text) are shared by both importers so that they behave alike.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field

#: Question types the LMS knows. Names are ours; the comment gives Moodle's qtype for reference.
QUESTION_TYPES: tuple[str, ...] = (
    "single_choice",  # multichoice, single = 1
    "multiple_response",  # multichoice, single = 0
    "true_false",  # truefalse
    "short_answer",  # shortanswer
    "numeric",  # numerical
    "matching",  # match
    "fill_blank",  # Moodle "missing word": any of the above with text after the closing brace
    "essay",  # essay (graded by a trainer)
)

#: Inner types a fill-in-the-blank question may wrap (the blank is answered like these).
FILL_BLANK_INNER_TYPES: tuple[str, ...] = (
    "single_choice",
    "multiple_response",
    "true_false",
    "short_answer",
    "numeric",
)

#: Text formats, as in Moodle's FORMAT_* constants. "plain" must always be shown escaped.
TEXT_FORMATS: tuple[str, ...] = ("moodle", "html", "plain", "markdown")

#: What replaces the braces of a missing-word question in ``Question.text`` (as Moodle does).
BLANK = "_____"


@dataclass
class Answer:
    """One answer (choice, accepted response, numeric value or matching pair) of a question.

    ``fraction`` is the share of the question's mark the answer earns, -1..1, as Moodle stores it.
    Per type:

    * choices (single choice, multiple response): ``text`` is the choice.
    * true/false: two answers, ``text`` "true" and "false"; the correct one has fraction 1.
      ``feedback`` is what a learner who picks that answer sees.
    * short answer: ``text`` is an accepted response, ``*`` is a wildcard.
    * numeric: ``text`` is the number as written, ``value``/``tolerance`` the parsed interval
      (a GIFT range ``min..max`` becomes its midpoint plus half-width, as in Moodle);
      ``value`` is None for the ``*`` catch-all answer.
    * matching: ``text`` is the prompt, ``match`` the answer it pairs with. An empty prompt makes a
      distractor (an extra wrong answer on offer); real pairs carry fraction 1, distractors 0.
    """

    text: str
    fraction: float = 0.0
    feedback: str = ""
    match: str | None = None
    text_format: str = "moodle"
    feedback_format: str = "moodle"
    value: float | None = None
    tolerance: float = 0.0

    @property
    def is_distractor(self) -> bool:
        """True for a matching answer offered without a prompt of its own."""
        return self.match is not None and self.text == ""


@dataclass
class Question:
    """A question as read from (or written to) an exchange format.

    ``line`` is the 1-based line of the source file where the question starts, so that a preview
    can point a trainer at it. For ``fill_blank`` questions ``inner_type`` says how the blank is
    answered and ``text`` is ``blank_before + BLANK + blank_after``.
    """

    type: str
    name: str
    text: str
    text_format: str = "moodle"
    answers: list[Answer] = field(default_factory=list)
    general_feedback: str = ""
    general_feedback_format: str = "moodle"
    category: str | None = None
    line: int = 0
    inner_type: str | None = None
    blank_before: str = ""
    blank_after: str = ""

    @property
    def base_type(self) -> str:
        """The type that decides grading: the inner type of a fill-in-the-blank question."""
        if self.type == "fill_blank" and self.inner_type:
            return self.inner_type
        return self.type

    @property
    def correct_answers(self) -> list[Answer]:
        """Answers that earn full marks (handy for previews and exports)."""
        return [a for a in self.answers if a.fraction >= 0.999_999]


@dataclass
class FormatError:
    """A problem found while importing; ``line`` is 1-based (0 = the file as a whole)."""

    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"Baris {self.line}: {self.message}"
        return self.message


@dataclass
class ImportResult:
    """Questions that could be read plus the errors for those that could not.

    Import is all-or-nothing only for file-level problems (encoding); a single bad question is
    reported and skipped so that the trainer sees every problem in one pass.
    """

    questions: list[Question] = field(default_factory=list)
    errors: list[FormatError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing went wrong."""
        return not self.errors

    def by_type(self) -> dict[str, int]:
        """Count of questions per ``type`` (fill-in-the-blank counted as ``fill_blank``)."""
        return dict(Counter(q.type for q in self.questions))

    def by_base_type(self) -> dict[str, int]:
        """Count per grading type, i.e. fill-in-the-blank counted under its inner type.

        This is how Moodle itself reports a GIFT file: a missing-word question stays a
        numerical/true-false/... question whose text happens to contain a blank.
        """
        return dict(Counter(q.base_type for q in self.questions))


# --- helpers shared by the importers -------------------------------------------------------------

_UTF8_BOM = b"\xef\xbb\xbf"
_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"\s+")
#: PHP's trim() strips exactly these; str.strip() would also eat non-breaking spaces etc.
PHP_WHITESPACE = " \t\n\r\0\x0b"


def php_trim(text: str) -> str:
    """Trim like PHP's trim(), so that text keeps the same edges as in Moodle."""
    return text.strip(PHP_WHITESPACE)


def decode_upload(data: bytes) -> tuple[str | None, FormatError | None]:
    """Decode an uploaded question file, refusing anything that is not UTF-8.

    Guessing another encoding would silently corrupt Indonesian text (and Moodle itself refuses
    such files), so the whole file is rejected with the line of the first bad byte. A UTF-8 BOM
    (added by Notepad) is accepted and dropped; CRLF and lone CR line ends become LF so that line
    numbers in error messages match what the trainer's editor shows. NUL characters are dropped.
    """
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start]
        return None, FormatError(
            line,
            f"Berkas bukan UTF-8 (byte 0x{bad:02X} pada baris {line}). Simpan ulang berkas "
            "dengan encoding UTF-8, lalu impor lagi. Tidak ada soal yang diimpor.",
        )
    # NUL has no meaning in a question file and PostgreSQL refuses it in any text column.
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n"), None


def shorten(text: str, limit: int = 80) -> str:
    """Shorten at a word boundary with an ellipsis, like Moodle's shorten_text()."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "..."


def default_name(text: str, text_format: str, fallback: str = "Soal") -> str:
    """Name a question after its text when the file gives none (Moodle does the same).

    Names are plain text, so tags are dropped from formatted text; plain text is kept as is
    because there a "<" is just a character.
    """
    if text_format != "plain":
        text = html.unescape(_TAG_RE.sub(" ", text))
    text = _SPACE_RE.sub(" ", text).strip()
    return shorten(text) if text else fallback

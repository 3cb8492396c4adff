"""The English catalogue stays complete: every Indonesian msgid has a reviewed English msgstr
(no empty and no fuzzy entry, which gettext would show in Indonesian or as babel's wrong guess),
and the English keeps the same placeholders, so a format call cannot raise KeyError or drop a value.
Every msgid of the code is in it: pybabel skipped templates/_macros (a directory starting with
"_") until `make catalogue` said otherwise, so the chart tables' "Lihat data:" and the pager stayed
Indonesian in English mode (issue 15).

After `make catalogue` (pybabel extract + update), translate the new entries and remove every
`#, fuzzy`.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "lms/translations/en/LC_MESSAGES/messages.po"

# %(name)s with optional flags/width/precision, a literal %%, and {…} fields such as {seq:04d}.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%%|\{[^{}]*\}")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def forms(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def label(message: Message) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
    return f"{forms(message.id)[0]!r} ({where})"


@pytest.fixture(scope="module")
def catalogue() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="en")


def entries(catalogue: Catalog) -> list[Message]:
    return [message for message in catalogue if message.id]  # the header has the empty msgid


def test_catalogue_is_not_empty(catalogue: Catalog) -> None:
    assert len(entries(catalogue)) > 1000


def test_no_untranslated_entries(catalogue: Catalog) -> None:
    missing = [label(m) for m in entries(catalogue) if not all(s.strip() for s in forms(m.string))]
    assert not missing, f"{len(missing)} untranslated: " + "; ".join(missing[:20])


def test_no_fuzzy_entries(catalogue: Catalog) -> None:
    fuzzy = [label(m) for m in entries(catalogue) if m.fuzzy]
    assert not fuzzy, f"{len(fuzzy)} fuzzy: " + "; ".join(fuzzy[:20])


def test_placeholders_match(catalogue: Catalog) -> None:
    wrong = []
    for m in entries(catalogue):
        source = set().union(*(placeholders(s) for s in forms(m.id)))
        if isinstance(m.id, str):
            target = placeholders(m.string)
        else:
            # A plural's singular form may leave the number out ("One question"): compare the
            # forms together, and each form must not invent a placeholder.
            per_form = [placeholders(s) for s in forms(m.string)]
            target = set().union(*per_form)
        if source != target:
            wrong.append(f"{label(m)}: {sorted(source)} != {sorted(target)}")
    assert not wrong, "\n".join(wrong)


def test_placeholder_pattern() -> None:
    assert placeholders("%(n)s dari %(t)s, {seq:04d}/{prefix} 50%%") == {
        "%(n)s",
        "%(t)s",
        "{seq:04d}",
        "{prefix}",
        "%%",
    }
    assert placeholders("%(max)d karakter, %(p).1f") == {"%(max)d", "%(p).1f"}


def _extract_command(out: Path) -> list[str]:
    """The Makefile's `catalogue` extraction, as it is written there, into ``out``."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    recipe = re.search(r"^catalogue:.*\n\t(.+)$", makefile, re.M)
    assert recipe, "the Makefile has no catalogue target"
    args = shlex.split(recipe.group(1))
    assert args[:2] == ["$(BIN)/pybabel", "extract"], args
    args[args.index("-o") + 1] = str(out)
    return [sys.executable, "-m", "babel.messages.frontend", *args[1:]]


@pytest.fixture(scope="session")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every msgid the code holds (each form of a plural), extracted as `make catalogue` does."""
    out = tmp_path_factory.mktemp("catalogue") / "messages.pot"
    subprocess.run(_extract_command(out), cwd=ROOT, check=True, capture_output=True)
    with out.open("rb") as handle:
        template = read_po(handle)
    return {form for message in template if message.id for form in forms(message.id)}


def test_the_macros_are_extracted(extracted: set[str]) -> None:
    assert "Lihat data: %(title)s" in extracted  # templates/_macros/charts.html
    assert "Halaman %(p)s dari %(n)s" in extracted  # templates/_macros/forms.html (the pager)


def test_every_msgid_of_the_code_is_in_the_catalogue(catalogue: Catalog, extracted) -> None:
    """Red until `make catalogue` ran and the English is filled in: then nothing the code says
    is left Indonesian in English mode."""
    known = {form for message in entries(catalogue) for form in forms(message.id)}
    missing = sorted(extracted - known)
    assert not missing, f"{len(missing)} not in the catalogue: " + "; ".join(missing[:20])

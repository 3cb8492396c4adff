"""Templates translate through a catalogue kept per locale: same strings as Flask-Babel's own."""

from __future__ import annotations

from flask import session
from flask_babel import gettext, ngettext, pgettext

TEMPLATE = (
    "{{ _('Keluar') }}|{{ _('Soal %(n)s dari %(t)s', n=1, t='<b>') }}|"
    "{{ ngettext('Pemberitahuan: %(num)s belum dibaca', 'Pemberitahuan: %(num)s belum dibaca', 3) }}|"
    "{{ pgettext('indeks evaluasi', 'Baik') }}"
)


def _render(app, lang: str | None) -> tuple[str, list[str]]:
    with app.test_request_context("/"):
        if lang:
            session["lang"] = lang
        page = app.jinja_env.from_string(TEMPLATE).render()
        python = [
            gettext("Keluar"),
            gettext("Soal %(n)s dari %(t)s", n=1, t="&lt;b&gt;"),
            ngettext(
                "Pemberitahuan: %(num)s belum dibaca", "Pemberitahuan: %(num)s belum dibaca", 3
            ),
            pgettext("indeks evaluasi", "Baik"),
        ]
    return page, python


def test_template_strings_follow_the_session_language_and_stay_escaped(app) -> None:
    indonesian, _ = _render(app, None)
    assert indonesian == "Keluar|Soal 1 dari &lt;b&gt;|Pemberitahuan: 3 belum dibaca|Baik"
    english, python = _render(app, "en")
    assert english.startswith("Sign out|Question 1 of &lt;b&gt;|")
    # Each string as Flask-Babel translates it in Python for the same request.
    assert english.split("|") == python
    # A later Indonesian request is not served the English catalogue kept above.
    assert _render(app, "id")[0] == indonesian

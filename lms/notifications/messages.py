"""Notification texts that are translated when they are read, not when they are written.

A notification is read later, by someone else, perhaps in another language than the request that
wrote it (a supervisor who works in English approves an Indonesian employee's plan). So a
notification keeps its msgid and values (``Notification.msgid`` and ``params``) and is translated
in the reader's language each time it is shown or mailed; ``message`` keeps the Indonesian text,
for rows written before and for anyone reading the table directly.

Callers write ``N_("Anda terdaftar di pelatihan %(t)s.", t=title)``: ``N_`` is one of the names
pybabel extracts by default, so the msgid lands in the catalogue like any ``_()``.

A value can be text or a number (printed as given: names, titles, years), a ``date`` (written
in the reader's language), or a label that is itself translated: ``N_("Baik")`` or a lazy
``_l`` label such as ``PREDIKAT_LABELS[...]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import force_locale, format_date, gettext
from flask_babel.speaklater import LazyString

from lms.indonesian import tanggal

#: The language ``Notification.message`` is written in (the catalogue's source language).
SOURCE_LOCALE = "id"


@dataclass(frozen=True)
class Deferred:
    """A msgid and its values, translated when shown."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)


def N_(msgid: str, **params: Any) -> Deferred:
    """Mark ``msgid`` for the catalogue and keep it, with its values, for later translation."""
    return Deferred(msgid, params)


def _stored_value(value: Any) -> Any:
    """A value as JSON: a translatable label as ``{"msgid": ...}``, a date as ``{"date": ...}``."""
    if isinstance(value, Deferred):
        return {"msgid": value.msgid, "params": stored_params(value.params)}
    if isinstance(value, LazyString):
        # An `_l` label: in the source language gettext hands back the msgid itself.
        with force_locale(SOURCE_LOCALE):
            return {"msgid": str(value), "params": {}}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def stored_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return {str(name): _stored_value(value) for name, value in params.items()}


def _shown_value(value: Any, source: bool) -> Any:
    if isinstance(value, dict):
        if "date" in value:
            try:
                day = date.fromisoformat(str(value["date"]))
            except ValueError:
                return str(value["date"])
            return tanggal(day) if source else format_date(day, "long")
        if "msgid" in value:
            return _translate(str(value["msgid"]), value.get("params") or {}, source)
    return value


def _translate(msgid: str, params: Mapping[str, Any], source: bool) -> str:
    text = msgid if source else gettext(msgid)
    if not params:
        return text
    values = {name: _shown_value(value, source) for name, value in params.items()}
    return text % values


def render_text(msgid: str, params: Mapping[str, Any] | None) -> str | None:
    """The text in the current request's language; None when it cannot be built (a stored
    value the msgid does not expect), so the caller shows the stored Indonesian instead."""
    try:
        return _translate(msgid, params or {}, source=False)
    except (KeyError, ValueError, TypeError):
        return None


def source_text(message: Deferred) -> str:
    """The Indonesian text, as stored in ``Notification.message``."""
    return _translate(message.msgid, stored_params(message.params), source=True)


def text_of(notification: Any) -> str:
    """What a notification says, in the current language (rows written before msgids were kept
    carry only their Indonesian ``message``)."""
    if notification.msgid:
        shown = render_text(notification.msgid, notification.params)
        if shown is not None:
            return shown
    return notification.message

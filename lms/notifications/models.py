"""One notification for one account: a message, an optional link inside the app, read or not.

``msgid`` and ``params`` keep the text untranslated, so it is shown in the reader's language
(``lms.notifications.messages``); ``message`` is the Indonesian text, and all that rows written
before carry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import utcnow
from lms.extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    message: Mapped[str] = mapped_column(Text)
    msgid: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict | None] = mapped_column(JSON)
    link: Mapped[str] = mapped_column(String(300), default="")
    read_at: Mapped[datetime | None]

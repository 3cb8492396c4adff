"""Discussion forums of a community, a course or a cohort: threads, replies, attachments and
subscriptions; moderation in ``moderation``."""

"""Scheduled reports: subscriptions and their e-mail deliveries (see ``runner``)."""

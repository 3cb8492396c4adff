"""Scheduled reports: subscriptions (``models``, ``services``), their slots and periods
(``rules``), the file and the mail (``mail``), and the hourly ``runner``; ``views`` for BKPSDM."""

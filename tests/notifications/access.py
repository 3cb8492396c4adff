"""Access expectations for the notification list: every signed-in account has its own."""

LOGGED_IN = "logged_in"

EXPECTED = {
    ("notifications.index", "GET"): LOGGED_IN,
    ("notifications.mark_read", "POST"): LOGGED_IN,
}

"""Notifications: the in-app list with its bell, and the e-mail that follows each one."""

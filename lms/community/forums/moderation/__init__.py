"""Moderation of forums: pin, lock, move, hide, reports, and the audited log of it all."""

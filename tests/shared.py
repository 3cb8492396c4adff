"""Where the third-party fixtures live: ``../shared/fixtures`` beside the checkout, or
``LMS_SHARED_FIXTURES`` when the checkout sits elsewhere (a CI clone in a temp folder)."""

import os
import socket
from pathlib import Path

SHARED_FIXTURES = Path(
    os.environ.get("LMS_SHARED_FIXTURES")
    or Path(__file__).resolve().parents[2] / "shared" / "fixtures"
)


def redis_up() -> bool:
    """Whether the local Redis (127.0.0.1:6379) answers: tests that need it skip otherwise."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False

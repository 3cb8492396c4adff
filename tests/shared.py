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


BENCH = Path(__file__).resolve().parents[1] / "bench"


def bench_module(filename: str, name: str):
    """A script of bench/ imported under ``name`` (once: later calls get the same module)."""
    import importlib.util
    import sys

    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH / filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module

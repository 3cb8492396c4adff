"""Where the third-party fixtures live: ``../shared/fixtures`` beside the checkout, or
``LMS_SHARED_FIXTURES`` when the checkout sits elsewhere (a CI clone in a temp folder)."""

import os
from pathlib import Path

SHARED_FIXTURES = Path(
    os.environ.get("LMS_SHARED_FIXTURES")
    or Path(__file__).resolve().parents[2] / "shared" / "fixtures"
)

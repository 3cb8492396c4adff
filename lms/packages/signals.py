"""What packages announce; higher features (completion) subscribe.

``sco_tracked`` is sent after a learner's SCO state was stored (on commit, finish or the page's
beacon), with ``attempt`` (a ScoAttempt: statuses, score) and ``user``. Review plays by BKPSDM
(``attempt.is_review``) are announced too; a subscriber that counts completions ignores them.
"""

from blinker import Namespace

signals = Namespace()

sco_tracked = signals.signal("sco-tracked")

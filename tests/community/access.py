"""Routes of communities and forums for the access matrix (tests/test_access_matrix.py).

The objects come from ``tests.community.builders.build_forums``: an open community owned by
`pengajar` with `pegawai` as member, so everyone who discusses may read it, its members write,
and its owner and BKPSDM moderate; a course `pengajar` teaches and `pegawai` learns; a cohort
`pegawai` takes part in, organised by BKPSDM. Admin sistem does not discuss (403 everywhere).
The matrix visits routes in URL order: `/diskusi/...` comes before `/komunitas/.../gabung`, so no
other account has joined the community while the forum routes are checked.
"""

from __future__ import annotations

DISCUSSERS = {"pegawai", "atasan", "pengajar", "admin_bkpsdm", "admin_opd", "mitra"}
WRITERS = {"pegawai", "pengajar", "admin_bkpsdm"}
MODERATORS = {"pengajar", "admin_bkpsdm"}
COURSE = {"pegawai", "pengajar", "admin_bkpsdm"}
COHORT = {"pegawai", "admin_bkpsdm"}

EXPECTED: dict[tuple[str, str], object] = {
    ("community.index", "GET"): DISCUSSERS,
    ("community.create", "GET"): {"pengajar", "admin_bkpsdm"},
    ("community.create", "POST"): {"pengajar", "admin_bkpsdm"},
    ("community.detail", "GET"): DISCUSSERS,
    ("community.edit", "GET"): MODERATORS,
    ("community.edit", "POST"): MODERATORS,
    ("community.join", "POST"): DISCUSSERS,
    ("community.leave", "POST"): DISCUSSERS,
    ("community.members", "GET"): DISCUSSERS,
    ("community.invite", "POST"): MODERATORS,
    ("community.member_role", "POST"): MODERATORS,
    ("community.member_remove", "POST"): MODERATORS,
    ("community.add_forum", "POST"): MODERATORS,
    ("community.community_moderation", "GET"): MODERATORS,
    ("community.forum", "GET"): DISCUSSERS,
    ("community.follow_forum", "POST"): DISCUSSERS,
    ("community.new_thread", "GET"): WRITERS,
    ("community.new_thread", "POST"): WRITERS,
    ("community.forum_moderation", "GET"): MODERATORS,
    ("community.course_forum", "GET"): COURSE,
    ("community.follow_course_forum", "POST"): COURSE,
    ("community.new_course_thread", "GET"): COURSE,
    ("community.new_course_thread", "POST"): COURSE,
    ("community.cohort_forum", "GET"): COHORT,
    ("community.follow_cohort_forum", "POST"): COHORT,
    ("community.new_cohort_thread", "GET"): COHORT,
    ("community.new_cohort_thread", "POST"): COHORT,
    ("community.thread", "GET"): DISCUSSERS,
    ("community.reply", "POST"): WRITERS,
    ("community.follow_thread", "POST"): DISCUSSERS,
    ("community.pin", "POST"): MODERATORS,
    ("community.lock", "POST"): MODERATORS,
    ("community.move", "POST"): MODERATORS,
    ("community.hide", "POST"): MODERATORS,
    ("community.unhide", "POST"): MODERATORS,
    ("community.report", "GET"): DISCUSSERS,
    ("community.report", "POST"): DISCUSSERS,
    ("community.handle_report", "POST"): MODERATORS,
    ("community.attachment", "GET"): DISCUSSERS,
}
# A report is the moderators' business: to anyone else it answers like a missing one.
HIDDEN = {("community.handle_report", "POST")}


def build_args(world) -> dict[str, object]:
    from tests.community.builders import build_forums

    built = build_forums(world)
    return {
        "community_slug": built.community_slug,
        "forum_id": built.forum_id,
        "thread_id": built.thread_id,
        "post_id": built.post_id,
        "report_id": built.report_id,
        "attachment_id": built.attachment_id,
        "member_id": built.member_id,
        "course_key": built.course_key,
        "cohort_key": built.cohort_key,
    }

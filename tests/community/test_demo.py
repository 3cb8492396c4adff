"""The demo community: cross-OPD members, a named employee moderating beside the trainer who owns
it, threads with replies; loading twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.auth.models import User
from lms.community.demo import NAME, load_demo_community
from lms.community.models import Community, CommunityMember, ForumPost, ForumThread
from lms.extensions import db
from lms.org.demo import load_demo
from lms.org.models import Employee, Unit


def _opd_of(unit: Unit) -> str:
    return unit.path.strip("/").split("/")[0]


def test_the_demo_community_spans_opds_and_loads_once(app) -> None:
    with app.app_context():
        load_demo()
        assert load_demo_community() is True
        db.session.commit()
        assert load_demo_community() is False
        community = db.session.scalar(select(Community).where(Community.name == NAME))
        owner = db.session.get(User, community.owner_id)
        assert owner.username == "pengajar"
        members = db.session.execute(
            select(CommunityMember, User, Employee)
            .join(User, User.id == CommunityMember.user_id)
            .join(Employee, Employee.id == User.employee_id)
            .where(CommunityMember.community_id == community.id)
        ).all()
        assert {u.username for _m, u, _e in members} >= {"pengajar", "pegawai", "atasan"}
        assert len({_opd_of(e.unit) for _m, _u, e in members}) == 5  # BKPSDM, Dinkes, ...
        moderators = {u.username for m, u, _e in members if m.role == "moderator"}
        assert "pengajar" in moderators and len(moderators) == 2  # and a named employee
        assert [f.title for f in community.forums] == ["Diskusi umum", "Berbagi praktik baik"]
        threads = db.session.scalars(select(ForumThread)).all()
        assert len(threads) == 3 and sum(t.pinned for t in threads) == 1
        assert db.session.scalar(select(func.count(ForumPost.id))) == 10
        assert all(t.post_count >= 2 for t in threads)

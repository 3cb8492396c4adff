"""The daily job: invitations and reminders to the alumnus and the direct supervisor, in-app and
by e-mail (a real local SMTP server), each sent once, none after answering or closing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.evaluations.followup import notices, rules, services
from lms.evaluations.followup.models import Followup, FollowupNotice
from lms.extensions import db
from lms.notifications.models import Notification
from lms.org.models import Employee
from lms.tasks import run_ready
from tests.evaluations.followup.conftest import complete, months_ago
from tests.notifications.conftest import _wait_for


def _notices(user_id: int) -> list[Notification]:
    """The post-training notices of an account (the completion's own congratulation aside)."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.message.contains("pascapelatihan"))
            .order_by(Notification.id)
        )
    )


def _answer(followup: Followup, username: str, role: str) -> None:
    user = db.session.scalar(select(User).where(User.username == username))
    ratings = {item.key: 4 for item in services.QUESTIONNAIRES[role].items}
    services.submit(followup, role, user, ratings, {"changed": "Lebih cepat."})
    db.session.commit()


def test_invitations_reach_both_sides_in_app_and_by_mail(app, world, smtp_server) -> None:
    with app.app_context():
        for key, address in (("pegawai", "siti@contoh.test"), ("atasan", "rahmat@contoh.test")):
            db.session.get(Employee, world.employees[key].id).email = address
        followup_id = complete(world.employees["pegawai"].id, on=months_ago(3))
        run_ready()  # the completion's own work (certificate, congratulation) goes first
        _wait_for(smtp_server, 1)
        smtp_server.messages.clear()
        followup = db.session.get(Followup, followup_id)
        result = notices.send_due(followup.due_on)
        assert (result.followups, result.sent) == (1, 2)
        assert run_ready() == 2  # the two e-mails, after the commit
        [alumnus] = _notices(world.users["pegawai"].id)
        assert alumnus.message.startswith("Evaluasi pascapelatihan Pelatihan PASCA-101:")
        assert alumnus.link == f"/evaluasi-pascapelatihan/{followup_id}"
        [boss] = _notices(world.users["atasan"].id)
        assert "untuk Siti Aminah" in boss.message
        assert boss.link == f"/tim/evaluasi-pascapelatihan/{followup_id}"
        sent = db.session.execute(select(FollowupNotice.role, FollowupNotice.kind)).all()
        assert sorted(sent) == [("alumnus", "invitation"), ("supervisor", "invitation")]
        db.session.remove()
    _wait_for(smtp_server, 2)
    recipients = sorted(tos[0] for tos, _body in smtp_server.messages)
    assert recipients == ["rahmat@contoh.test", "siti@contoh.test"]
    assert all(
        "Subject: Akademi ASN: Evaluasi pascapelatihan" in b for _t, b in smtp_server.messages
    )


def test_reminders_follow_until_answered_and_nothing_twice(app, world) -> None:
    pegawai, atasan = world.users["pegawai"].id, world.users["atasan"].id
    with app.app_context():
        followup = db.session.get(
            Followup, complete(world.employees["pegawai"].id, on=months_ago(3))
        )
        due = followup.due_on
        assert notices.send_due(due - timedelta(days=1)).sent == 0  # not open yet
        assert notices.send_due(due).sent == 2
        assert notices.send_due(due).sent == 0  # the job ran twice today
        assert notices.send_due(due + timedelta(days=3)).sent == 0
        _answer(followup, "pegawai", "alumnus")  # the alumnus answers: only the boss is reminded
        assert notices.send_due(due + timedelta(days=7)).sent == 1
        assert notices.send_due(due + timedelta(days=21)).sent == 1
        assert notices.send_due(due + timedelta(days=30)).sent == 0  # no third reminder
        assert len(_notices(pegawai)) == 1
        messages = [n.message for n in _notices(atasan)]
        assert len(messages) == 3
        assert messages[1].startswith("Pengingat: evaluasi pascapelatihan")
        # Closed: nothing any more, even for the side that never answered.
        closes = followup.closes_on
        db.session.execute(FollowupNotice.__table__.delete())
        assert notices.send_due(closes + timedelta(days=1)).sent == 0


def test_a_late_job_sends_one_notice_not_a_backlog(app, world) -> None:
    with app.app_context():
        followup = db.session.get(
            Followup, complete(world.employees["pegawai"].id, on=months_ago(3))
        )
        assert notices.send_due(followup.due_on + timedelta(days=25)).sent == 2
        kinds = set(db.session.scalars(select(FollowupNotice.kind)))
        assert kinds == {"reminder_2"}
        assert notices.send_due(followup.due_on + timedelta(days=26)).sent == 0


def test_the_current_supervisor_is_asked_and_nobody_when_there_is_none(app, world) -> None:
    with app.app_context():
        followup = db.session.get(
            Followup, complete(world.employees["pegawai"].id, on=months_ago(3))
        )
        siti = db.session.get(Employee, world.employees["pegawai"].id)
        siti.supervisor_id = None
        db.session.commit()
        assert notices.send_due(followup.due_on).sent == 1  # the alumnus only
        siti.supervisor_id = world.employees["hr"].id  # moved: Andi supervises her now
        db.session.commit()
        assert notices.send_due(followup.due_on).sent == 1
        [row] = db.session.scalars(
            select(FollowupNotice).where(FollowupNotice.role == "supervisor")
        ).all()
        assert row.recipient_id == world.employees["hr"].id
        assert _notices(world.users["admin_bkpsdm"].id)  # Andi's account
        assert not _notices(world.users["atasan"].id)


def test_a_cancelled_followup_is_not_sent(app, world) -> None:
    with app.app_context():
        followup = db.session.get(
            Followup, complete(world.employees["pegawai"].id, on=months_ago(3))
        )
        services.cancel_for_completion(followup.completion_id)
        db.session.commit()
        assert notices.send_due(followup.due_on).sent == 0


def test_the_cli_sends_for_cron(app, world) -> None:
    with app.app_context():
        followup = db.session.get(
            Followup, complete(world.employees["pegawai"].id, on=months_ago(3))
        )
        due = followup.due_on.isoformat()
        db.session.remove()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["followup", "send-due", "--date", due])
    assert result.exit_code == 0, result.output
    assert "1 open follow-up(s): 2 notice(s) sent" in result.output
    bad = runner.invoke(args=["followup", "send-due", "--date", "31-01-2026"])
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output


def test_the_beat_runs_it_every_morning(app) -> None:
    entry = app.extensions["celery"].conf.beat_schedule["followup-send-due"]
    assert entry["task"] == "followup.send_due"
    assert entry["schedule"].hour == {notices.SEND_HOUR}
    assert rules.NOTICES[0] == (0, "invitation")

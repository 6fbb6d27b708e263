"""The issue's "done when": an agent plans, forgets, is reminded once each time, and the shop keeps its word."""

from datetime import UTC, datetime, timedelta

from statuspage import jobs
from statuspage.extensions import db
from statuspage.models import Incident
from statuspage.services.shop import saved_shop
from tests.helpers import component

DAY = datetime(2026, 3, 10, tzinfo=UTC)


def test_agent_plans_forgets_and_is_reminded_once_each_time(
    app_ctx, client, auth, time_machine, team_hook
):
    def berlin(hour: int, minute: int = 0, days: int = 0) -> None:
        """Move the clock to a wall-clock time in Berlin (UTC+1 in March)."""
        time_machine.move_to(DAY + timedelta(days=days, hours=hour - 1, minutes=minute), tick=False)

    berlin(13)
    saved_shop().timezone = "Europe/Berlin"
    checkout, storefront = component("Checkout"), component("Storefront")
    auth.login()
    # Tomorrow's maintenance, announced now from the playbook.
    client.post("/admin/maintenance/new", data={
        "title": "Faster checkout", "scheduled_for": "2026-03-11T02:00",
        "scheduled_until": "2026-03-11T04:00", "kind": "planned-maintenance",
        "components": [checkout.public_id, storefront.public_id],
        "what_changes": "a faster checkout",
    })  # fmt: skip
    window = db.session.query(Incident).filter_by(is_maintenance=True).one()

    # An incident; an update now promising the next at 15:00; a 16:00 update scheduled.
    client.post("/admin/incidents/new", data={
        "title": "Parcels arrive late", "impact": "minor", "status": "investigating",
        "body": "Parcels are late.", f"component-{checkout.public_id}": "degraded_performance",
    })  # fmt: skip
    late = db.session.query(Incident).filter_by(title="Parcels arrive late").one()
    planned = f"/admin/incidents/{late.public_id}/updates"
    client.post(planned, data={"status": "identified", "body": "The courier is overloaded.",
                               "next_update_at": "2026-03-10T15:00"})  # fmt: skip
    client.post(planned, data={"status": "monitoring", "body": "Parcels move again.",
                               "display_at": "2026-03-10T16:00"})  # fmt: skip
    promise_key = late.updates[1].public_id  # the update that promised 15:00

    def reminders():
        return [m.event for m in team_hook.accepted if promise_key in m.id]

    # ... and forgets it. The scheduler ticks along.
    for hour, minute in ((14, 0), (14, 49)):
        berlin(hour, minute)
        jobs.tick()
    assert reminders() == []
    berlin(14, 50)
    jobs.tick()
    assert reminders() == ["reminder.soon"]
    board = client.get("/admin/").get_data(as_text=True)
    assert "Due soon:" in board and "10 Mar 2026, 15:00" in board
    for minute in (52, 55, 59):
        berlin(14, minute)
        jobs.tick()
    berlin(15)
    jobs.tick()
    assert reminders() == ["reminder.soon", "reminder.overdue"]
    board = client.get("/admin/").get_data(as_text=True)
    assert board.index("Parcels arrive late") < board.index("Faster checkout")  # on top
    assert "promise-row state-overdue" in board
    for minute in (1, 30, 59):
        berlin(15, minute)
        jobs.tick()
    assert reminders() == ["reminder.soon", "reminder.overdue"]  # once each

    # 16:00: the scheduled update is public at once (read time), its effects follow the tick.
    berlin(15, 59)
    public = client.get(f"/incidents/{late.public_id}").get_data(as_text=True)
    assert "Parcels move again." not in public
    berlin(16)
    public = client.get(f"/incidents/{late.public_id}").get_data(as_text=True)
    assert "Parcels move again." in public
    jobs.tick()
    assert late.status == "monitoring"
    plan_page = client.get(f"/admin/incidents/{late.public_id}/plan").get_data(as_text=True)
    assert "promise late" in plan_page and "(the update came 1 hour late)" in plan_page
    client.post(f"/admin/incidents/{late.public_id}/resolve", data={"body": "All delivered."})

    # The maintenance starts and ends on its own.
    berlin(2, days=1)
    jobs.tick()
    assert window.status == "in_progress"
    assert checkout.status == storefront.status == "under_maintenance"
    berlin(4, days=1)
    jobs.tick()
    assert window.status == "completed"
    assert checkout.status == storefront.status == "operational"
    events = team_hook.events()
    assert events.count("maintenance.started") == events.count("maintenance.ended") == 1
    assert len(team_hook.ids()) == len(team_hook.accepted)  # nothing twice

    # The public pages show every promise that was made.
    public = client.get(f"/incidents/{late.public_id}").get_data(as_text=True)
    assert public.count("Next update by") == 3 and "No further updates planned" in public
    assert "10 Mar 2026, 15:00" in public
    public = client.get(f"/incidents/{window.public_id}").get_data(as_text=True)
    assert public.count("Next update by") == 2 and "No further updates planned" in public

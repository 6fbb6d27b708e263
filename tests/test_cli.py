"""CLI commands through the runner."""

import re

from statuspage.extensions import db
from statuspage.models import Incident, User
from statuspage.services.team.users import authenticate


def test_init_migrates_loads_demo_and_prints_owner_once(app_ctx, runner):
    db.drop_all()  # init builds the schema with the migrations
    result = runner.invoke(args=["init", "--demo"])
    assert result.exit_code == 0, result.output
    assert "Loaded the demo shop." in result.output
    password = re.search(r"with password (\S+)", result.output).group(1)
    assert authenticate("owner@example.com", password).role == "owner"
    incidents = db.session.query(Incident).all()
    # The resolved one has its postmortem published (in every language).
    assert {i.status for i in incidents} == {"postmortem", "identified"}
    assert all(len(i.updates) >= 2 for i in incidents)
    again = runner.invoke(args=["init", "--demo"])
    assert again.exit_code == 0, again.output
    assert "password" not in again.output and "Loaded" not in again.output
    assert db.session.query(Incident).count() == 2


def test_create_user(app_ctx, runner):
    result = runner.invoke(args=["create-user", "Agent@Shop.test", "--role", "editor"])
    assert result.exit_code == 0, result.output
    assert db.session.query(User).one().email == "agent@shop.test"
    duplicate = runner.invoke(args=["create-user", "agent@shop.test"])
    assert duplicate.exit_code == 1 and "already an account" in duplicate.output
    bad = runner.invoke(args=["create-user", "not-an-email"])
    assert bad.exit_code == 1 and "not an e-mail address" in bad.output
    assert runner.invoke(args=["create-user", "x@y.zz", "--role", "god"]).exit_code == 2


def test_demo_refuses_a_used_database(app_ctx, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 1 and "empty" in second.output


def test_every_command_has_help(runner):
    for command in ("init", "create-user", "demo", "create-token"):
        result = runner.invoke(args=[command, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage" in result.output

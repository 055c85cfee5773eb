"""An existing database (made by revision 0001) is upgraded in place at start-up: its data
stays and the time-off tables of revision 0002 work on it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from api.db import alembic_config, make_engine, migrate
from api.models import LeaveBalance
from api.store import Store
from tests.api.factories import site_config

HEAD = "0008"  # the latest revision in api/migrations/versions


def test_upgrade_from_0001_keeps_data_and_adds_time_off(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with engine.begin() as connection:
        assert "time_off_requests" not in inspect(connection).get_table_names()
        connection.execute(text(
            "INSERT INTO agents (agent_id, name, skills, preferred_rest_days) "
            "VALUES ('A1', 'Agent A1', 'sales', '')"))
        connection.execute(text(
            "INSERT INTO roster_cells (agent_id, date, shift, queue) "
            "VALUES ('A1', '2030-01-07', 'DAY', 'sales')"))
        connection.execute(text("UPDATE roster_meta SET version = 4 WHERE id = 1"))
    migrate(engine)  # what `wfm serve` does at start-up
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == HEAD
        tables = set(inspect(connection).get_table_names())
    assert {"time_off_requests", "time_off_events", "leave_balances"} <= tables
    store = Store(engine, site_config(), clock=lambda: datetime(2030, 1, 1))
    version, roster = store.roster_frame()
    assert version == 4
    assert roster.to_dict("records") == [{"agent_id": "A1", "date": date(2030, 1, 7),
                                          "shift": "DAY", "queue": "sales"}]
    with store.unit.write() as session:
        session.add(LeaveBalance(agent_id="A1", kind="annual", year=2030, used_millidays=500))
    assert store.leave_balances(agent_id="A1", year=2030)[0]["used_days"] == 0.5
    engine.dispose()


def test_upgrade_from_0002_names_agent_users_and_adds_sessions(tmp_path: Path) -> None:
    """Revision 0003 (accounts): users get a name (an agent user its agent's), a password hash
    and a revocation time; page sessions get their table. Existing tokens keep working."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    from api.store.users import hash_token
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO agents (agent_id, name, skills, preferred_rest_days) "
            "VALUES ('A1', '王芳', 'sales', '')"))
        connection.execute(text(
            "INSERT INTO users (token_hash, role, agent_id, created_at) VALUES "
            f"('{hash_token('old-agent')}', 'agent', 'A1', '2030-01-01 00:00:00'), "
            f"('{hash_token('old-planner')}', 'planner', NULL, '2030-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO audit (at, user_id, role, actor_agent_id, action, details, reason) "
            "VALUES ('2030-01-01 00:00:00', 1, 'agent', 'A1', 'swap.create', '{}', '')"))
    migrate(engine)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == HEAD
        assert "web_sessions" in inspect(connection).get_table_names()
    store = Store(engine, site_config(), clock=lambda: datetime(2030, 1, 1))
    agent = store.user_for_token(token="old-agent")
    planner = store.user_for_token(token="old-planner")
    assert agent is not None and agent.name == "王芳" and agent.revoked_at is None
    assert planner is not None and planner.name == ""
    entries, _ = store.read_audit(date_from=None, date_to=None, page=1, page_size=10)
    assert [e.actor_name for e in entries] == ["王芳"]
    assert store.user_for_session(session_id=store.start_session(user=agent)) is not None
    engine.dispose()


def test_upgrade_from_0003_adds_forecasts_and_actuals(tmp_path: Path) -> None:
    """Revision 0004 (forecast accuracy): published forecasts and actuals get their tables;
    existing data stays."""
    import pandas as pd

    from api.store import Actor

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    with engine.begin() as connection:
        assert "forecasts" not in inspect(connection).get_table_names()
        connection.execute(text("UPDATE roster_meta SET version = 3 WHERE id = 1"))
    migrate(engine)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == HEAD
        assert {"forecasts", "forecast_rows", "actuals"} <= set(
            inspect(connection).get_table_names())
    store = Store(engine, site_config(), clock=lambda: datetime(2030, 1, 1))
    assert store.roster_version() == 3
    start = pd.Timestamp("2030-01-07T10:00", tz=store.config.timezone)
    frame = pd.DataFrame({"interval_start": [start], "queue": ["sales"], "contacts": [5.0],
                          "aht_seconds": [300.0]})
    store.publish_forecast(frame=frame, model="mean_4w", origin=None,
                           actor=Actor(None, "system"))
    assert [(f.model, f.origin) for f in store.published_forecasts()] == [
        ("mean_4w", date(2030, 1, 7))]
    engine.dispose()


def test_upgrade_from_0004_adds_adherence_exceptions(tmp_path: Path) -> None:
    """Revision 0005 (issue 24): the adherence exceptions get their table; data stays."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    with engine.begin() as connection:
        assert "adherence_exceptions" not in inspect(connection).get_table_names()
        connection.execute(text("UPDATE roster_meta SET version = 5 WHERE id = 1"))
    migrate(engine)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == HEAD
        assert "adherence_exceptions" in inspect(connection).get_table_names()
    store = Store(engine, site_config(), clock=lambda: datetime(2030, 1, 1))
    assert store.roster_version() == 5
    assert store.list_exceptions() == []
    engine.dispose()


def test_upgrade_from_0007_keeps_old_forecasts_on_the_default_spread(tmp_path: Path) -> None:
    """Revision 0008 (issue 25): a published forecast gains the intraday update's spread, null
    on the forecasts published before (the intraday view uses the default for them)."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO forecasts (id, model, origin, published_at, user_id, reason, rows) "
            "VALUES (1, 'mean_4w', '2030-01-07', '2030-01-01 00:00:00', NULL, '', 0)"))
    migrate(engine)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == HEAD
    store = Store(engine, site_config(), clock=lambda: datetime(2030, 1, 1))
    (old,) = store.published_forecasts()
    assert (old.model, old.day_sigma, old.dispersion, old.block_dispersion) == (
        "mean_4w", None, None, None)
    rows = pd.DataFrame({"queue": ["sales"], "forecast_id": [1]})
    assert store.intraday.day_spreads(rows)["sales"].source == "default"
    engine.dispose()

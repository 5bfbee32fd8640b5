"""Migrations: applied to an empty database they give the committed golden schema, and the
same schema as the models; on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from tracker.store import models  # noqa: F401 - registers the tables on SQLModel.metadata
from tracker.store.db import open_engine
from tracker.store.repository import Store

GOLDEN = Path(__file__).parent / "golden"


def describe(engine: Engine) -> dict[str, Any]:
    """Tables, columns, keys and indexes, in a stable order: what a schema is."""
    insp = inspect(engine)
    out: dict[str, Any] = {}
    for table in sorted(insp.get_table_names()):
        out[table] = {
            "columns": [[c["name"], str(c["type"]), c["nullable"]] for c in insp.get_columns(table)],
            "primary_key": insp.get_pk_constraint(table)["constrained_columns"],
            "foreign_keys": sorted([fk["constrained_columns"], fk["referred_table"],
                                    fk["referred_columns"]] for fk in insp.get_foreign_keys(table)),
            "indexes": sorted([ix["name"], ix["column_names"], bool(ix["unique"])]
                              for ix in insp.get_indexes(table)),
            "unique": sorted([u["name"], u["column_names"]] for u in insp.get_unique_constraints(table)),
        }
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
def two_dbs(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str, str]:
    if request.param == "sqlite":
        return "sqlite", str(tmp_path / "a.db"), str(tmp_path / "b.db")
    server = request.getfixturevalue("pg_server")
    return "postgresql", server.new_database(), server.new_database()


def test_migrations_give_the_golden_schema_and_the_models(two_dbs: tuple[str, str, str]) -> None:
    dialect, migrated_db, models_db = two_dbs
    Store(migrated_db).close()
    migrated = open_engine(migrated_db)
    got = describe(migrated)
    golden = GOLDEN / f"schema-{dialect}.json"
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(got, indent=1) + "\n", encoding="utf-8")
    assert got == json.loads(golden.read_text(encoding="utf-8")), (
        f"the migrated schema differs from {golden.name}: a released migration step was edited, "
        "or a new step needs its golden (TRACKER_UPDATE_GOLDEN=1 rewrites it)")
    fresh = open_engine(models_db)
    SQLModel.metadata.create_all(fresh)
    assert describe(fresh) == got, "models.py and migrations.py disagree: add a migration step"
    migrated.dispose()
    fresh.dispose()


def test_migrating_twice_applies_nothing_the_second_time(tmp_path: Path) -> None:
    from tracker.store.migrations import STEPS, migrate
    db = str(tmp_path / "t.db")
    Store(db).close()
    engine = open_engine(db)
    with engine.begin() as conn:
        assert migrate(conn) == []
    with engine.connect() as conn:
        from tracker.store.migrations import applied_steps
        assert applied_steps(conn) == [s for s, _, _ in STEPS]
    engine.dispose()

"""The test PostgreSQL server works end to end through SQLAlchemy, one fresh database per URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, inspect, text

from .pg import PgServer


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    # pg_url is driver-less; name psycopg (v3) explicitly, SQLAlchemy's default is psycopg2.
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        yield engine
    finally:
        engine.dispose()


def test_round_trip(pg_url: str) -> None:
    with engine_for(pg_url) as engine:
        with engine.begin() as conn:
            assert "PostgreSQL" in conn.execute(text("select version()")).scalar_one()
            conn.execute(text("create table note (id int primary key, body text not null)"))
            conn.execute(text("insert into note values (1, 'revised headline')"))
        with engine.connect() as conn:
            assert conn.execute(text("select body from note where id = 1")).scalar_one() \
                == "revised headline"


def test_each_database_is_fresh_and_isolated(pg_url: str, pg_server: PgServer) -> None:
    other_url = pg_server.new_database()  # what pg_url does for every test
    assert other_url != pg_url
    with engine_for(pg_url) as first, engine_for(other_url) as second:
        assert inspect(first).get_table_names() == []
        with first.begin() as conn:
            conn.execute(text("create table note (id int)"))
        assert inspect(first).get_table_names() == ["note"]
        assert inspect(second).get_table_names() == []

"""A throwaway PostgreSQL server for the tests, or an existing one named by the caller.

`PgServer.start()` runs initdb + `pg_ctl start` in a temp dir; `new_database()` hands out a
fresh empty database's URL (`postgresql://USER@127.0.0.1:PORT/DBNAME`, trust auth); `close()`
stops the server and removes its files. Raises `PgUnavailable` when this machine cannot run
one, which the caller turns into a skip.
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

SUPERUSER = "postgres"
TOOLS = ("initdb", "pg_ctl", "postgres")


class PgUnavailable(Exception):
    """No PostgreSQL can be started here (binaries or the postgres user missing)."""


def find_bindir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres: PATH first, then Debian's newest."""
    candidates: list[Path] = []
    if on_path := shutil.which("initdb"):
        # Resolve symlinks: pg_ctl finds `postgres` beside its own real path.
        candidates.append(Path(on_path).resolve().parent)

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for bindir in candidates:
        if all(os.access(bindir / tool, os.X_OK) for tool in TOOLS):
            return bindir
    return None


def _free_port() -> int:
    # Port 0 lets the kernel pick a free one; a small race with other processes remains.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


class _Cluster:
    """One initdb'd data dir and its running postmaster, all inside one temp dir."""

    def __init__(self, timeout: float) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise PgUnavailable(
                "initdb/pg_ctl/postgres not found on PATH or under /usr/lib/postgresql/*/bin "
                "(apt-get install postgresql)")
        self.prefix: list[str] = []
        owner: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            # initdb refuses to run as root, so the cluster belongs to the postgres user.
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise PgUnavailable(
                    "running as root and no 'postgres' user to own the cluster") from None
            runuser = shutil.which("runuser") or next(
                (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if os.access(p, os.X_OK)), None)
            if runuser is None:
                raise PgUnavailable("running as root and no runuser to drop to 'postgres'")
            self.prefix = [runuser, "-u", owner.pw_name, "--"]
        self.bindir = bindir
        self.timeout = timeout
        self.root = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.started = False
        try:
            if owner is not None:
                os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust",
                      "-E", "UTF8", "--locale=C", "--no-sync")
            self.port = self._start()
        except BaseException:
            # A start that timed out may still leave a postmaster behind: stop it too.
            self.started = (self.data / "postmaster.pid").exists()
            self.remove()
            raise

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        # cwd = our temp dir: the postgres user may not be allowed into the caller's cwd.
        done = subprocess.run([*self.prefix, str(self.bindir / tool), *args], cwd=self.root,
                              capture_output=True, text=True, timeout=self.timeout + 30)
        if check and done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}):\n{done.stdout}{done.stderr}\n"
                               f"server log tail:\n{_log_tail(self.log)}")
        return done

    def _start(self) -> int:
        for _attempt in range(3):
            port = _free_port()
            options = shlex.join([
                "-c", "listen_addresses=127.0.0.1", "-p", str(port), "-k", str(self.root),
                # A test server: durability is not wanted, speed is.
                "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off"])
            done = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                             "-w", "-t", str(int(self.timeout)), "start", check=False)
            if done.returncode == 0:
                self.started = True
                return port
            if "already in use" not in _log_tail(self.log):  # only a lost port race is retried
                break
        raise RuntimeError(f"PostgreSQL did not start ({done.returncode}):\n"
                           f"{done.stdout}{done.stderr}\nserver log tail:\n{_log_tail(self.log)}")

    def remove(self) -> None:
        if self.started:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)


class PgServer:
    """A server the tests may create databases on; own (started here) or external."""

    def __init__(self, admin_url: str, cluster: _Cluster | None = None) -> None:
        self.admin_url = admin_url
        self._cluster = cluster
        # A random tag, one per server object, keeps names apart from other runs on a shared server.
        self._tag = secrets.token_hex(3)
        self._numbers = itertools.count(1)
        self._created: list[str] = []
        self._admin: psycopg.Connection | None = None
        atexit.register(self.close)  # stops our server even if the fixture finaliser never runs

    @classmethod
    def start(cls, timeout: float = 60) -> PgServer:
        cluster = _Cluster(timeout)
        return cls(f"postgresql://{SUPERUSER}@127.0.0.1:{cluster.port}/postgres", cluster)

    @classmethod
    def external(cls, url: str) -> PgServer:
        if not url.startswith("postgresql://"):
            raise ValueError("TRACKER_TEST_PG must be a postgresql:// URL")
        return cls(url)

    def new_database(self) -> str:
        """Create an empty database and return its URL."""
        if self._admin is None:
            # One autocommit connection for the session: CREATE DATABASE can't run in a transaction.
            self._admin = psycopg.connect(self.admin_url, autocommit=True)
        name = f"t_{self._tag}_{next(self._numbers)}"
        self._admin.execute(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        """Drop what we made on an external server, or stop and delete our own. Idempotent."""
        if self._admin is not None:
            if self._cluster is None:
                for name in self._created:  # FORCE: a test may have left a connection open
                    self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._admin.close()
            self._admin = None
        self._created.clear()
        if self._cluster is not None:
            self._cluster.remove()
            self._cluster = None

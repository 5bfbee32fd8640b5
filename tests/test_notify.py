"""Notifications never stop the watcher: a webhook is retried with backoff until it takes the
report (exactly once), a command gets the report on stdin and is killed if it hangs."""

from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx

from tracker.watch.notify import post_webhook, run_exec

from .httpkit import Reply, TestServer, free_port

REPORT = {"story": 7, "url": "https://news.example/a", "version": 3,
          "summary": {"by_kind": {"quote added": 1}}, "headline": "Déjà vu"}


def post(url: str, report: dict = REPORT, **kwargs: object) -> bool:
    async def go() -> bool:
        async with httpx.AsyncClient() as client:
            return await post_webhook(client, url, report, **kwargs)  # type: ignore[arg-type]
    return asyncio.run(go())


def test_a_receiver_that_fails_twice_then_succeeds_gets_the_report_exactly_once() -> None:
    with TestServer() as hook:
        hook.route("/hook", [Reply(500), Reply(503), Reply(200), Reply(200)])
        assert post(hook.url("/hook"), base_delay=0.05) is True
        time.sleep(0.1)
    assert hook.hits["/hook"] == 3  # stopped at the first success
    taken = [r for r in hook.requests][2]
    assert json.loads(taken.body) == REPORT
    assert taken.headers["content-type"] == "application/json"
    keys = {r.headers["idempotency-key"] for r in hook.requests}
    assert len(keys) == 1  # the same report, retried


def test_retries_back_off_exponentially() -> None:
    with TestServer() as hook:
        hook.route("/hook", [Reply(500)] * 3 + [Reply(204)])
        assert post(hook.url("/hook"), base_delay=0.1) is True
        arrived = hook.starts("/hook")
    gaps = [b - a for a, b in zip(arrived, arrived[1:])]
    assert gaps[0] >= 0.09 and gaps[1] >= 0.19 and gaps[2] >= 0.39


def test_a_dead_webhook_is_given_up_without_raising() -> None:
    started = time.monotonic()
    assert post(f"http://127.0.0.1:{free_port()}/hook", attempts=3, base_delay=0.01) is False
    assert time.monotonic() - started < 2
    with TestServer() as hook:
        hook.route("/hook", Reply(500))
        assert post(hook.url("/hook"), attempts=4, base_delay=0.01) is False
        assert hook.hits["/hook"] == 4


def test_a_client_error_is_not_retried() -> None:
    with TestServer() as hook:
        hook.route("/hook", Reply(400))
        assert post(hook.url("/hook"), base_delay=0.01) is False
        assert hook.hits["/hook"] == 1
        hook.route("/busy", [Reply(429, {"Retry-After": "0"}), Reply(200)])
        assert post(hook.url("/busy"), base_delay=0.01) is True


def test_a_hanging_receiver_times_out_and_is_retried() -> None:
    with TestServer() as hook:
        hook.route("/hook", [Reply(200, delay=2), Reply(200)])
        assert post(hook.url("/hook"), base_delay=0.01, timeout=0.3) is True
        assert hook.hits["/hook"] == 2


def test_bad_webhook_urls_and_odd_reports_never_raise() -> None:
    assert post("ftp://example.org/hook", base_delay=0.01) is False
    assert post("not a url", base_delay=0.01) is False
    with TestServer() as hook:
        hook.route("/hook", Reply(200))
        assert post(hook.url("/hook"), {"at": object()}, base_delay=0.01) is True
        cycle: dict = {}
        cycle["self"] = cycle
        assert post(hook.url("/hook"), cycle, base_delay=0.01) is False
        assert hook.hits["/hook"] == 1
    assert run("cat", cycle) == (None, "the report cannot be written as JSON")


def run(cmd: str, report: dict = REPORT, **kwargs: float) -> tuple[int | None, str | None]:
    return asyncio.run(run_exec(cmd, report, **kwargs))


def test_exec_gets_the_report_on_stdin(tmp_path) -> None:
    out = tmp_path / "report.json"
    assert run(f"cat > {out}") == (0, None)
    assert json.loads(out.read_text("utf-8")) == REPORT


def test_exec_failures_are_one_line(tmp_path) -> None:
    code, error = run("echo first >&2; echo 'disk full' >&2; exit 3")
    assert code == 3 and error == "exited with status 3: disk full"
    assert run("kill -9 $$") == (-9, "killed by signal 9")
    code, error = run("no-such-command-here")
    assert code == 127 and error and "not found" in error and "\n" not in error


def test_exec_that_ignores_stdin_is_fine() -> None:
    big = {"text": "x" * 1_000_000}  # more than a pipe holds
    assert run("true", big) == (0, None)


def test_exec_that_hangs_is_killed_with_its_children(tmp_path) -> None:
    marker = tmp_path / "still-running"
    started = time.monotonic()
    code, error = run(f"sleep 30; touch {marker}", timeout=0.5)
    assert (code, error) == (None, "timed out after 0.5 s (killed)")
    assert time.monotonic() - started < 3
    time.sleep(0.2)
    assert not marker.exists()


def test_exec_stdout_does_not_reach_ours(capfd) -> None:
    assert run("echo should-not-appear; cat >/dev/null") == (0, None)
    assert "should-not-appear" not in capfd.readouterr().out


def test_exec_that_cannot_start_is_an_error() -> None:
    code, error = run(f"{sys.executable} -c 'import sys; sys.exit(0)'\x00")
    assert code is None and error and error.startswith("cannot run")

"""Telling someone about a new version: POST the change report to a webhook (retried with
backoff) or run a command with the report on its stdin. Neither ever raises: a dead webhook or
a broken command must not stop the watcher."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal

import httpx

from tracker.watch.http import make_user_agent, retry_after
from tracker.watch.schedule import backoff

# 1 s, 2 s, 4 s, 8 s between five attempts: a receiver that restarts in a few seconds gets the
# report; one that is down for longer is not waited for (the watcher goes on).
WEBHOOK_ATTEMPTS = 5
WEBHOOK_BASE_DELAY = 1.0
WEBHOOK_MAX_DELAY = 60.0
WEBHOOK_TIMEOUT = 10.0
# A command gets 30 s to read the report and finish; what it writes on stderr is kept up to
# 4 KiB to say why it failed.
EXEC_TIMEOUT = 30.0
_STDERR_TAIL = 4096


async def post_webhook(client: httpx.AsyncClient, url: str, report: dict,
                       attempts: int = WEBHOOK_ATTEMPTS, base_delay: float = WEBHOOK_BASE_DELAY,
                       timeout: float = WEBHOOK_TIMEOUT, user_agent: str | None = None) -> bool:
    """POST ``report`` as JSON to ``url``; whether a 2xx answer came back. Retried on network
    faults, timeouts, 5xx, 408 and 429 (Retry-After honoured up to a minute); another 4xx is
    final. Every attempt carries the same Idempotency-Key, so a receiver that processed a POST
    whose answer was lost can tell the retry is the same report."""
    body = _json(report)
    if body is None:
        return False
    headers = {"Content-Type": "application/json", "User-Agent": user_agent or make_user_agent(),
               "Idempotency-Key": hashlib.sha256(body).hexdigest()[:32]}
    for attempt in range(1, max(1, attempts) + 1):
        wait = None
        try:
            response = await client.post(url, content=body, headers=headers, timeout=timeout)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError):
            return False  # no retry mends a bad URL
        except (httpx.HTTPError, OSError):
            pass  # refused, reset, timed out: worth another try
        else:
            status = response.status_code
            if 200 <= status < 300:
                return True
            if 400 <= status < 500 and status not in (408, 429):
                return False
            if status in (429, 503):
                wait = retry_after(response.headers.get("retry-after"))
        if attempt < attempts:
            delay = backoff(attempt, base_delay, WEBHOOK_MAX_DELAY)
            await asyncio.sleep(min(WEBHOOK_MAX_DELAY, max(delay, wait or 0.0)))
    return False


async def run_exec(cmd: str, report: dict,
                   timeout: float = EXEC_TIMEOUT) -> tuple[int | None, str | None]:
    """Run ``cmd`` through the shell with ``report`` as JSON on its stdin; its stdout is
    discarded (stdout carries the watcher's own --json events). Returns ``(exit code, error)``
    (the error says what happened, not the command, which the caller knows):
    ``(0, None)`` on success; the code and a one-line error otherwise; ``(None, error)`` when it
    could not run or was killed after ``timeout`` seconds."""
    body = _json(report)
    if body is None:
        return None, "the report cannot be written as JSON"
    try:
        # Its own process group, so a timeout kills what the shell started too.
        proc = await asyncio.create_subprocess_shell(
            cmd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE, start_new_session=True)
    except (OSError, ValueError) as exc:
        return None, f"cannot run: {exc}".splitlines()[0]
    try:
        async with asyncio.timeout(timeout):
            tail = await _talk(proc, body)
            code = await proc.wait()
    except TimeoutError:
        _kill(proc)
        await proc.wait()
        return None, f"timed out after {timeout:g} s (killed)"
    except asyncio.CancelledError:
        _kill(proc)
        raise
    if code == 0:
        return 0, None
    last = tail.decode("utf-8", "replace").strip().splitlines()
    detail = f": {last[-1]}" if last else ""
    if code < 0:
        return code, f"killed by signal {-code}{detail}"
    return code, f"exited with status {code}{detail}"


def _json(report: dict) -> bytes | None:
    """The report as UTF-8 JSON in its own key order (values JSON lacks, as text)."""
    try:
        return json.dumps(report, ensure_ascii=False, default=str).encode("utf-8")
    except (TypeError, ValueError):  # a cycle, say: nothing to send
        return None


async def _talk(proc: asyncio.subprocess.Process, body: bytes) -> bytes:
    """Write the report to stdin (a command that does not read it is fine) and keep the end
    of what it writes on stderr."""
    stdin, stderr = proc.stdin, proc.stderr
    assert stdin is not None and stderr is not None  # both are pipes

    async def feed() -> None:
        try:
            stdin.write(body)
            await stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            stdin.close()

    async def drain() -> bytes:
        tail = b""
        while chunk := await stderr.read(65536):
            tail = (tail + chunk)[-_STDERR_TAIL:]
        return tail

    _, tail = await asyncio.gather(feed(), drain())
    return tail


def _kill(proc: asyncio.subprocess.Process) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass

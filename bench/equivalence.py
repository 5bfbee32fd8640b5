"""Proof that a refactoring changed no behaviour: the output of ``tracker series snapshots --json``
and of ``tracker extract --json`` on every file of ../shared/corpus, digested file by file.

    .venv/bin/python bench/equivalence.py --write before.txt      # on the old commit
    .venv/bin/python bench/equivalence.py --check before.txt      # on the new one

Each line of the digest file is ``<sha256 of exit code + stdout>  <command>``; ``--check`` lists
every command whose output differs and exits 1 if any does. The commands run in-process through
click's test runner (the same ``cli.main`` that the ``tracker`` script calls), so a thousand
pages take seconds rather than a thousand interpreter start-ups. Errors count as output too: a
page that fails to extract must fail with the same message.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from common import CORPUS, ROOT

from click.testing import CliRunner


def commands() -> list[list[str]]:
    """Every command whose output must not change, in a stable order."""
    cmds = [["series", str(ROOT / "snapshots"), "--json"]]
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
        cmds.append(["extract", str(path), "--json"])
    return cmds


def digest(cmd: list[str]) -> str:
    import cli  # the project root is on sys.path (bench/common.py)

    result = CliRunner().invoke(cli.main, cmd, catch_exceptions=True)
    # stdout, then stderr (the one-line error of a page that is not an article)
    blob = f"{result.exit_code}\n".encode() + result.stdout_bytes + b"\n--\n" + result.stderr_bytes
    if result.exception and not isinstance(result.exception, SystemExit):
        blob += f"\nexception: {type(result.exception).__name__}".encode()
    return hashlib.sha256(blob).hexdigest()


def rel(cmd: list[str]) -> str:
    return " ".join(c.replace(str(CORPUS), "corpus").replace(str(ROOT), ".") for c in cmd)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="Write the digests to this file.")
    group.add_argument("--check", type=Path, help="Compare with digests written before.")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    lines = [f"{digest(cmd)}  {rel(cmd)}" for cmd in commands()]
    if args.write:
        args.write.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(lines)} commands digested into {args.write}", file=sys.stderr)
        return 0
    before = dict(reversed(line.split("  ", 1)) for line in
                  args.check.read_text(encoding="utf-8").splitlines())
    now = dict(reversed(line.split("  ", 1)) for line in lines)
    differ = [c for c in now if before.get(c) != now[c]] + [c for c in before if c not in now]
    for c in differ:
        print(f"differs: {c}", file=sys.stderr)
    print(f"{len(now)} commands, {len(differ)} differ", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

"""The command line: output formats, determinism, errors, and the README staying honest."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli import main

from .conftest import ROOT, SNAPSHOTS

AA = SNAPSHOTS / "aa-giresun-landslide"
V1, V2 = AA / "20251109T061500Z.txt", AA / "20251109T094000Z.txt"


def run(*args: str | Path) -> "click.testing.Result":
    return CliRunner().invoke(main, [str(a) for a in args])


def test_terminal_summary_puts_what_changed_first() -> None:
    result = run("diff", V1, V2, "--no-color")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("Headline") < out.index("Editor's note, checked") < out.index("Paragraph diffs")
    assert "✓ confirmed" in out and "[-12-] → {+15+}" in out
    assert "\x1b[" not in out


def test_json_is_the_contract_and_byte_identical_across_runs() -> None:
    # Two processes with different hash seeds: no set or dict order may leak into the output.
    runs = [subprocess.run([sys.executable, "-m", "cli", "diff", str(V1), str(V2), "--json"],
                           capture_output=True, cwd=ROOT, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")]
    first, second = runs
    assert first == second
    report = json.loads(first)
    for key in ("old", "new", "changes", "claims"):
        assert key in report
    assert report["new"]["update_label"] == "UPDATE" and report["new"]["dateline"] == "ANKARA (AA)"
    assert {"kind": "deck"}.items() <= report["changes"][1].items()


def test_html_view_is_self_contained_and_escaped(tmp_path: Path) -> None:
    old, new = tmp_path / "a.json", tmp_path / "b.json"
    old.write_text(json.dumps({"headline": "Plain", "paragraphs": ["One paragraph here."]}))
    new.write_text(json.dumps({"headline": "<script>alert(1)</script>",
                               "paragraphs": ["One paragraph here.", "<img src=x onerror=y> & more"]}))
    out = tmp_path / "r.html"
    result = run("diff", old, new, "--html", out)
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=y&gt; &amp; more" in page
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)  # no external assets
    assert "<link " not in page and "<script" not in page


def test_series_writes_one_page_for_every_story(tmp_path: Path) -> None:
    out = tmp_path / "demo.html"
    result = run("series", SNAPSHOTS, "--html", out, "--json")
    assert result.exit_code == 0, result.output
    reports = json.loads(result.stdout)
    versions = sum(len(list(d.glob("*.txt"))) - 1 for d in SNAPSHOTS.iterdir() if d.is_dir())
    assert len(reports) == versions
    page = out.read_text("utf-8")
    assert page.count("<section") == versions and "No changes between these versions." in page
    ids = set(re.findall(r'id="([^"]+)"', page))
    links = set(re.findall(r'href="#([^"]+)"', page))
    assert links and links <= ids, links - ids  # every in-page link lands somewhere
    assert "carried over unchanged" in page


def test_extract_prints_the_snapshot() -> None:
    result = run("extract", AA / "20251109T094000Z.html", "--json")
    assert result.exit_code == 0
    snap = json.loads(result.stdout)
    assert snap["update_label"] == "UPDATE" and snap["byline"] == "By Elif Su Karataş"


@pytest.mark.parametrize("name, content, message", [
    ("missing.txt", None, "no such file"),
    ("empty.txt", b"", "file is empty"),
    ("blank.html", b"  \n\t ", "file is empty"),
    ("binary.txt", bytes(range(256)) * 4, "binary"),
    ("binary.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50, "binary"),
    ("nobody.html", b"<html><head><title>x</title></head><body><nav>Home</nav></body></html>",
     "not an article"),
    ("headline.txt", "Only a headline\n".encode(), "not an article"),
    ("bad.json", b"{\"paragraphs\": [", "not valid JSON"),
    ("list.json", b"[1, 2]", "not an article"),
    ("nums.json", b"{\"paragraphs\": [1, 2]}", "not an article"),
    ("report.pdf", b"%PDF-1.4", "unsupported file type"),
    ("broken.html.gz", b"not gzip at all", "not a valid gzip file"),
])
def test_bad_input_is_one_line_and_non_zero(tmp_path: Path, name: str, content: bytes | None,
                                            message: str) -> None:
    bad = tmp_path / name
    if content is not None:
        bad.write_bytes(content)
    result = run("diff", bad, V1)
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]
    assert "Traceback" not in result.output


def test_a_directory_is_not_a_snapshot(tmp_path: Path) -> None:
    result = run("diff", tmp_path, V1)
    assert result.exit_code != 0 and "is a directory" in result.output


def test_gzip_pages_are_read(tmp_path: Path) -> None:
    page = tmp_path / "20251109T094000Z.html.gz"
    page.write_bytes(gzip.compress((AA / "20251109T094000Z.html").read_bytes()))
    result = run("diff", AA / "20251109T094000Z.html", page, "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["changes"] == []


def test_unwritable_html_target_is_an_error(tmp_path: Path) -> None:
    result = run("diff", V1, V2, "--html", tmp_path / "no" / "such" / "dir" / "r.html")
    assert result.exit_code != 0 and "cannot write" in result.output


def _commands(group: click.Group) -> dict[str, click.Command]:
    return dict(group.commands)


def test_every_command_has_help_with_an_example() -> None:
    for name, cmd in _commands(main).items():
        result = run(name, "--help")
        assert result.exit_code == 0 and "Example" in result.output, name


def test_readme_documents_every_command_and_option() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for name, cmd in _commands(main).items():
        assert f"tracker {name}" in readme, name
        for param in cmd.params:
            for opt in getattr(param, "opts", []) + getattr(param, "secondary_opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in readme, f"{name} {opt}"

"""What the benchmarks share: where the project and the corpus are, and what they print about
the machine they ran on. Importing it puts the project on the import path (the benchmarks run
as scripts: ``python bench/store.py``)."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def machine() -> str:
    """CPU model, Python version and OS: the figures mean nothing without them."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def require_baseline(name: str, error: str | None, without_baseline: bool, alone: str) -> None:
    """Stop with a clear error when a benchmark's baseline (``name``) failed to import
    (``error``), unless the user passed ``--without-baseline``: a figure of ours alone must not
    pass for a comparison. ``alone`` says what is reported then."""
    if error and not without_baseline:
        sys.exit(f"bench/{Path(sys.argv[0]).name}: the baseline {name} cannot be imported "
                 f"({error}).\n"
                 f"Install the baselines with: .venv/bin/pip install -e '.[bench]'\n"
                 f"or pass --without-baseline to report {alone}.")

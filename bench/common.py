"""What both benchmarks print about the machine they ran on."""

from __future__ import annotations

import platform
from pathlib import Path


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

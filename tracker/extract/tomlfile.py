"""Reading the TOML files users write (site rules, ``--map`` mappings): one set of one-line
errors for a missing, unreadable or malformed file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from tracker.errors import InputError


def read_toml(path: Path, what: str = "file") -> dict[str, Any]:
    """The parsed file; an ``InputError`` naming the file (as ``what``) when it cannot be."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None

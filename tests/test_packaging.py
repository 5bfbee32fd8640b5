"""The package metadata: what `pip install` builds from pyproject.toml."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib

from .conftest import ROOT


def test_license_is_an_spdx_expression_with_a_setuptools_that_reads_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["license"] == "MIT"  # the table form is deprecated by setuptools
    setuptools = next(r for r in project["build-system"]["requires"] if r.startswith("setuptools"))
    floor = re.fullmatch(r"setuptools>=(\d+)(?:\.\d+)*", setuptools)
    assert floor and int(floor.group(1)) >= 77, setuptools  # SPDX strings: setuptools 77 on
    assert importlib.metadata.metadata("tracker")["License-Expression"] == "MIT"

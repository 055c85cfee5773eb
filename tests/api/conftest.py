"""Fixtures of the API tests: a fresh SQLite store per test (no shared database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.factories import Site, make_site


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """The loaded test site on a fresh database (see ``factories``)."""
    return make_site(tmp_path)

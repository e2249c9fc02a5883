"""A session opened on tests/deployed_home.py's home and bot checkout, for the Home and Tables tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lifeos_desk.core.paths import AppDirs, DataPaths
from lifeos_desk.core.settings import Settings, State
from lifeos_desk.session import Session, open_session
from tests.deployed_home import DeployedHome, build_deployed_home


@pytest.fixture
def deployed(tmp_path: Path) -> DeployedHome:
    return build_deployed_home(tmp_path / "root")


@pytest.fixture
def deployed_session(qapp: object, deployed: DeployedHome, tmp_path: Path) -> Iterator[Session]:
    dirs = AppDirs(config=tmp_path / "cfg", state=tmp_path / "st", data=tmp_path / "data", log=tmp_path / "log")
    paths = DataPaths(home=deployed.home, logs=(deployed.home / "logs",), backups=tmp_path / "backups",
                      bot_dir=deployed.bot_dir)
    session = open_session(paths, dirs, Settings(dirs), State(dirs))
    yield session
    session.close()

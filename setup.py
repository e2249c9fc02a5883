"""Package layout only; all metadata is in pyproject.toml.

The repo keeps assets in a top-level ``resources/`` folder (the team's layout),
and the installed package carries them as ``lifeos_desk.resources`` so that
``importlib.resources`` finds them in a wheel, an editable install and a
PyInstaller bundle alike.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["lifeos_desk", "lifeos_desk.*"]), "lifeos_desk.resources"],
    package_dir={"lifeos_desk.resources": "resources"},
    package_data={"lifeos_desk.resources": ["*.svg", "*.png", "*.json", "icons/*"]},
)

"""What ships besides the code: license text, typing marker, metadata, changelog."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_the_declared_license_ships_its_text():
    assert PROJECT["license"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text  # the full text, not a one-line pointer
    assert PROJECT["license-files"] == ["LICENSE"]


def test_the_package_is_marked_typed():
    assert (ROOT / "qbcircuit" / "py.typed").is_file()
    assert "Typing :: Typed" in PROJECT["classifiers"]


def test_metadata_a_registry_page_shows():
    assert PROJECT["keywords"]
    assert any(c.startswith("Topic :: Scientific/Engineering :: Physics")
               for c in PROJECT["classifiers"])
    python = PROJECT["requires-python"].removeprefix(">=")
    assert f"Programming Language :: Python :: {python}" in PROJECT["classifiers"]


def test_extras_for_notebooks_and_docs():
    extras = PROJECT["optional-dependencies"]
    assert any(r.startswith("ipywidgets") for r in extras["notebooks"])  # tqdm's notebook bars
    assert any(r.startswith("mkdocs") for r in extras["docs"])


def test_the_changelog_lives_in_its_own_file():
    assert (ROOT / "CHANGELOG.md").read_text().startswith("# Changelog")
    assert "## Changelog" not in (ROOT / "README.md").read_text()

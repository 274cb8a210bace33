"""The docs match the code: the README's configuration table is the Settings, its table of named-query
header keys is what the catalogue reads, and the architecture page names every room of kg/."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic_core import PydanticUndefined

from kg import PROJECT_ROOT
from kg.catalogue import header
from kg.settings import Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (PROJECT_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    following = re.search(r"\n#{2,3} ", text[start + len(heading) :])
    return text[start : start + len(heading) + following.start()] if following else text[start:]


def _configuration_rows() -> dict[str, str]:
    """`NEEDLING_X` -> its default as the README gives it (several variables in a row split their defaults)."""
    rows: dict[str, str] = {}
    for line in _section(README, "## Configuration").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`NEEDLING_"):
            continue
        names = re.findall(r"`(NEEDLING_[A-Z_]+)`", cells[0])
        defaults = [d.strip().strip("`") for d in cells[1].split(" / ")]
        for name, given in zip(
            names, defaults if len(defaults) == len(names) else defaults * len(names), strict=True
        ):
            rows[name] = given
    return rows


def _shown(value: object) -> str:
    if value is None or value is PydanticUndefined:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Path):
        relative = value.relative_to(PROJECT_ROOT) if value.is_absolute() else value
        return f"{relative}/" if value.is_dir() else str(relative)
    return str(value)


def test_the_configuration_table_lists_every_setting_with_its_default() -> None:
    rows = _configuration_rows()
    settings = {f"NEEDLING_{name.upper()}": field.default for name, field in Settings.model_fields.items()}
    assert sorted(rows) == sorted(settings), "the README's configuration table and kg/settings.py differ"
    wrong = {
        name: (rows[name], _shown(default))
        for name, default in settings.items()
        if rows[name] != _shown(default)
    }
    assert wrong == {}, "(README, Settings) defaults that differ"


def test_the_header_keys_in_the_readme_are_what_the_catalogue_reads() -> None:
    documented = set(re.findall(r"^# ([a-z]+):", _section(README, "### The header of a named query"), re.M))
    documented |= set(re.findall(r"`# ([a-z]+):", _section(README, "### The header of a named query")))
    assert documented == set(header._LIST_KEYS) | set(header._SCALAR_KEYS)


def test_the_architecture_page_names_every_room() -> None:
    rooms = sorted(path.parent.name for path in (PROJECT_ROOT / "kg").glob("*/__init__.py"))
    missing = [room for room in rooms if f"kg/{room}/" not in ARCHITECTURE]
    assert missing == []
    assert "docs/architecture.md" in README

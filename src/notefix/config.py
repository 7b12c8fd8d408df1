"""Where a run's settings come from: ``.notefix.toml`` or ``[tool.notefix]`` in pyproject.toml.

The nearest configuration file walking up from a path wins (``.notefix.toml`` before
``pyproject.toml`` in the same folder; a pyproject.toml without a ``[tool.notefix]``
table does not count). Keys are the field names of :class:`notefix.settings.Settings`,
with ``-`` or ``_``. Flags given on the command line override the file.
"""

from __future__ import annotations

import difflib
import os
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from notefix.settings import Settings

CONFIG_NAME = ".notefix.toml"
PYPROJECT = "pyproject.toml"
JOURNAL_DIR = ".notefix"
# A folder holding one of these is the top of a vault: the journal goes there, so that
# fixing a subfolder and undoing from the top agree on one log.
VAULT_MARKERS = (JOURNAL_DIR, ".obsidian", CONFIG_NAME)
REPO_MARKERS = (".git", ".hg")


class ConfigError(ValueError):
    """A configuration file that cannot be used, with a message naming the file."""


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None
    """The file the values came from; None when no file was found."""
    values: Mapping[str, Any]
    """The raw table, keys as written."""

    def settings(self, overrides: Mapping[str, Any] | None = None) -> Settings:
        """Settings from this file's values, then ``overrides`` (command-line flags) on top."""
        merged = {_field_name(k): v for k, v in self.values.items()}
        merged.update({_field_name(k): v for k, v in (overrides or {}).items()})
        where = str(self.path) if self.path else "settings"
        check_values(merged, where)
        try:
            return Settings.from_dict(merged)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: {exc}") from None


def _field_name(key: str) -> str:
    return key.replace("-", "_")


def _start_dir(path: Path) -> Path:
    path = path.absolute()
    return path if path.is_dir() else path.parent


def _tool_table(pyproject: Path) -> dict[str, Any] | None:
    data = _read_toml(pyproject)
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return None
    table = tool.get("notefix")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.notefix] must be a table")
    return table


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def find_config(path: Path) -> Config:
    """The configuration nearest to ``path`` (a file or folder), walking up to the file
    system root; an empty Config when there is none."""
    for folder in (_start_dir(path), *_start_dir(path).parents):
        dotfile = folder / CONFIG_NAME
        if dotfile.is_file():
            data = _read_toml(dotfile)
            # Accept the pyproject shape too, so a table can be moved between files as is.
            tool = data.get("tool")
            if isinstance(tool, dict) and isinstance(tool.get("notefix"), dict) and len(data) == 1:
                data = tool["notefix"]
            return Config(dotfile, data)
        pyproject = folder / PYPROJECT
        if pyproject.is_file():
            table = _tool_table(pyproject)
            if table is not None:
                return Config(pyproject, table)
    return Config(None, {})


def load_config(path: Path) -> Config:
    """Read one named configuration file (``--config``)."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such configuration file")
    if path.name == PYPROJECT:
        return Config(path, _tool_table(path) or {})
    data = _read_toml(path)
    tool = data.get("tool")
    if isinstance(tool, dict) and isinstance(tool.get("notefix"), dict) and len(data) == 1:
        data = tool["notefix"]
    return Config(path, data)


def find_root(path: Path) -> Path:
    """The folder whose ``.notefix/`` journal covers ``path``, real (symlinks resolved).

    The nearest folder at or above ``path`` holding a journal, a vault marker
    (``.obsidian``) or a configuration file; for a file argument (as pre-commit passes
    them) a repository's top counts too, so that one run over files in many folders
    keeps one journal. Else the folder given (a file's own folder).
    """
    given_file = not path.is_dir()
    start = Path(os.path.realpath(_start_dir(path)))
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in VAULT_MARKERS):
            return folder
        if given_file and any((folder / marker).exists() for marker in REPO_MARKERS):
            return folder
        pyproject = folder / PYPROJECT
        if pyproject.is_file():
            try:
                if _tool_table(pyproject) is not None:
                    return folder
            except ConfigError:
                return folder
    return start


def _types() -> dict[str, Any]:
    return typing.get_type_hints(Settings)


def check_values(values: Mapping[str, Any], where: str) -> None:
    """Raise ConfigError for an unknown key or a value of the wrong type."""
    known = {f.name for f in fields(Settings)}
    hints = _types()
    for key, value in values.items():
        name = _field_name(key)
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean {close[0].replace('_', '-')!r}?)" if close else ""
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")
        _check_type(name, value, hints[name], where)


def _check_type(name: str, value: Any, hint: Any, where: str) -> None:
    key = name.replace("_", "-")
    origin = typing.get_origin(hint)
    if hint is bool:
        ok = isinstance(value, bool)
        want = "true or false"
    elif hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        want = "a number"
        if ok and name.endswith("threshold") and not 0.0 <= float(value) <= 1.0:
            raise ConfigError(f"{where}: {key} must be between 0 and 1, not {value}")
    elif origin is typing.Literal:
        choices = typing.get_args(hint)
        ok = value in choices
        want = "one of " + ", ".join(repr(c) for c in choices)
    elif origin is tuple:
        ok = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
        want = "a list of strings"
    else:  # a field type this check does not know: let Settings decide
        return
    if not ok:
        raise ConfigError(f"{where}: {key} must be {want}, not {value!r}")

"""Configuration: where it is found, how it maps to Settings, how it fails."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from notefix.cli import main
from notefix.config import ConfigError, find_config, find_root, load_config
from notefix.settings import Settings


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_dotfile_found_from_a_nested_note(tmp_path: Path) -> None:
    cfg = write(tmp_path / ".notefix.toml", "lost-byte-threshold = 0.4\n")
    note = write(tmp_path / "a" / "b" / "n.md", "x")
    config = find_config(note)
    assert config.path == cfg
    assert config.settings().lost_byte_threshold == 0.4


def test_pyproject_without_a_notefix_table_does_not_count(tmp_path: Path) -> None:
    outer = write(tmp_path / ".notefix.toml", "normalize = false\n")
    write(tmp_path / "proj" / "pyproject.toml", "[project]\nname = 'x'\n")
    config = find_config(tmp_path / "proj")
    assert config.path == outer
    assert config.settings().normalize is False


def test_nearer_pyproject_table_wins_over_a_farther_dotfile(tmp_path: Path) -> None:
    write(tmp_path / ".notefix.toml", "normalize = false\n")
    near = write(tmp_path / "proj" / "pyproject.toml", "[tool.notefix]\nrename = false\n")
    config = find_config(tmp_path / "proj" / "note.md")
    assert config.path == near
    settings = config.settings()
    assert settings.rename is False
    assert settings.normalize is True  # files are not merged: the nearest one decides


def test_dotfile_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.notefix]\nrename = false\n")
    dot = write(tmp_path / ".notefix.toml", "normalize = false\n")
    assert find_config(tmp_path).path == dot


def test_no_config_gives_defaults(tmp_path: Path) -> None:
    config = find_config(tmp_path)
    if config.path is not None:  # a config above the temp folder would be the machine's
        pytest.skip(f"a configuration file exists above the temp folder: {config.path}")
    assert config.settings() == Settings()


def test_lists_become_tuples_and_dashes_become_underscores(tmp_path: Path) -> None:
    write(
        tmp_path / ".notefix.toml",
        'include = ["*.md", "*.markdown"]\n'
        'exclude = ["drafts/*"]\n'
        'emoji-policy = "fully-qualified"\n',
    )
    settings = find_config(tmp_path).settings()
    assert settings.include == ("*.md", "*.markdown")
    assert settings.exclude == ("drafts/*",)
    assert settings.emoji_policy == "fully-qualified"


def test_overrides_beat_the_file(tmp_path: Path) -> None:
    write(tmp_path / ".notefix.toml", "lost-byte-threshold = 0.4\nnormalize = true\n")
    settings = find_config(tmp_path).settings({"lost_byte_threshold": 0.9, "normalize": False})
    assert settings.lost_byte_threshold == 0.9
    assert settings.normalize is False


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("normalise = false\n", "unknown key 'normalise' (did you mean 'normalize'?)"),
        ("colour = 1\n", "unknown key 'colour'"),
        ("normalize = 'no'\n", "normalize must be true or false"),
        ("lost-byte-threshold = 2\n", "lost-byte-threshold must be between 0 and 1"),
        ("lost-byte-threshold = true\n", "lost-byte-threshold must be a number"),
        ("emoji-policy = 'all'\n", "emoji-policy must be one of 'keep', 'fully-qualified'"),
        ("include = '*.md'\n", "include must be a list of strings"),
        ("include = [1]\n", "include must be a list of strings"),
        ("normalize = \n", "not valid TOML"),
    ],
)
def test_bad_values_name_the_file_and_the_key(tmp_path: Path, body: str, expected: str) -> None:
    cfg = write(tmp_path / ".notefix.toml", body)
    with pytest.raises(ConfigError) as info:
        find_config(tmp_path).settings()
    message = str(info.value)
    assert message.startswith(str(cfg))
    assert expected in message


def test_tool_notefix_must_be_a_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool]\nnotefix = 3\n")
    with pytest.raises(ConfigError, match="must be a table"):
        find_config(tmp_path)


def test_load_config_reads_a_named_pyproject(tmp_path: Path) -> None:
    path = write(tmp_path / "elsewhere" / "pyproject.toml", "[tool.notefix]\nrename = false\n")
    assert load_config(path).settings().rename is False
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "missing.toml")


def test_root_is_the_vault_top_for_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / "vault" / ".obsidian").mkdir(parents=True)
    (tmp_path / "vault" / "sub").mkdir()
    assert find_root(tmp_path / "vault" / "sub") == tmp_path.resolve() / "vault"


def test_repository_top_is_the_root_for_files_but_not_for_folders(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    note = write(tmp_path / "docs" / "a.md", "x")
    assert find_root(note) == tmp_path.resolve()
    # A folder given is a vault of its own, even inside a repository.
    assert find_root(tmp_path / "docs") == tmp_path.resolve() / "docs"


def test_an_existing_journal_above_makes_the_root(tmp_path: Path) -> None:
    (tmp_path / ".notefix").mkdir()
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert find_root(tmp_path / "a" / "b") == tmp_path.resolve()


# --- round trip: any Settings written as TOML comes back equal ------------------------


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        # TOML basic strings: quote and backslash escaped, every control character as \uXXXX.
        body = "".join(
            "\\" + ch
            if ch in '"\\'
            else f"\\u{ord(ch):04x}"
            if unicodedata.category(ch) == "Cc"
            else ch
            for ch in value
        )
        return f'"{body}"'

    assert isinstance(value, tuple)
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


_globs = st.lists(
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=10), max_size=3
).map(tuple)

settings_strategy = st.builds(
    Settings,
    repair=st.booleans(),
    lost_bytes=st.booleans(),
    lost_byte_threshold=st.floats(0.0, 1.0),
    normalize=st.booleans(),
    emoji_policy=st.sampled_from(["keep", "fully-qualified"]),
    include=_globs,
    exclude=_globs,
    rename=st.booleans(),
)


@given(settings_strategy, st.booleans())
def test_any_settings_round_trip_through_a_config_file(
    tmp_path_factory: pytest.TempPathFactory, settings: Settings, pyproject: bool
) -> None:
    folder = tmp_path_factory.mktemp("cfg")
    lines = [
        f"{key.replace('_', '-')} = {_toml_value(value)}"
        for key, value in settings.to_dict().items()
    ]
    if pyproject:
        write(folder / "pyproject.toml", "[tool.notefix]\n" + "\n".join(lines) + "\n")
    else:
        write(folder / ".notefix.toml", "\n".join(lines) + "\n")
    assert find_config(folder / "note.md").settings() == settings


# --- through the command ----------------------------------------------------------------


def test_command_reports_a_bad_config_in_one_line(tmp_path: Path) -> None:
    write(tmp_path / ".notefix.toml", "normalise = false\n")
    write(tmp_path / "n.md", "CafÃ©\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "unknown key 'normalise'" in lines[0] and ".notefix.toml" in lines[0]


def test_command_uses_config_excludes_and_includes(tmp_path: Path) -> None:
    write(tmp_path / ".notefix.toml", 'include = ["*.md", "*.txt"]\nexclude = ["drafts"]\n')
    broken = "CafÃ© crÃ¨me brÃ»lÃ©e\n"
    write(tmp_path / "drafts" / "d.md", broken)
    write(tmp_path / "t.txt", broken)
    write(tmp_path / "n.md", broken)
    result = CliRunner().invoke(main, ["check", "--format", "json", str(tmp_path)])
    paths = {Path(f["path"]).name for f in json.loads(result.stdout)["files"]}
    assert paths == {"t.txt", "n.md"}
    assert result.exit_code == 1


def test_command_flags_override_config(tmp_path: Path) -> None:
    write(tmp_path / ".notefix.toml", "lost-byte-threshold = 0.2\nnormalize = true\n")
    write(tmp_path / "n.md", "CafÃ© crÃ¨me brÃ»lÃ©e\n")
    result = CliRunner().invoke(
        main, ["fix", "--threshold", "0.7", "--no-normalize", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    (run,) = (tmp_path / ".notefix" / "runs").iterdir()
    journaled = json.loads(run.read_text(encoding="utf-8"))["settings"]
    assert journaled["lost_byte_threshold"] == 0.7
    assert journaled["normalize"] is False


def test_explicit_config_option(tmp_path: Path) -> None:
    cfg = write(tmp_path / "conf" / "custom.toml", "exclude = ['*.md']\n")
    write(tmp_path / "vault" / "n.md", "CafÃ© crÃ¨me brÃ»lÃ©e\n")
    result = CliRunner().invoke(main, ["check", "--config", str(cfg), str(tmp_path / "vault")])
    assert result.exit_code == 0
    assert "0 notes would be fixed" in result.stderr

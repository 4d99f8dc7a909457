"""Catalogue F (K1–K3): config faults through the real `newsreader` command line (in-process)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsreader.cli import main as cli_main
from newsreader.paths import default_paths


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli_main(args)
    out, err = capsys.readouterr()
    return code, out, err


# -- K1 -------------------------------------------------------------------------------------
def test_k1_no_config_no_dirs_no_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    """K1: config missing, XDG dirs missing, $HOME unset → defaults; dirs created 0700."""
    for var, name in (("XDG_CONFIG_HOME", "c"), ("XDG_DATA_HOME", "d"), ("XDG_CACHE_HOME", "k")):
        monkeypatch.setenv(var, str(tmp_path / "missing" / name))
    monkeypatch.delenv("HOME")
    code, _, err = run(["fetch", "--offline"], capsys)
    assert code == 0 and "Traceback" not in err
    paths = default_paths()
    assert not paths.config_file.exists()  # never written for the user
    for directory in (paths.data_dir, paths.cache_dir):
        assert directory.is_dir() and directory.stat().st_mode & 0o777 == 0o700
    assert (paths.data_dir / "state.db").stat().st_mode & 0o777 == 0o600


# -- K2 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"A = { a = 1, }\n", ":1: col 14: TOML syntax error"),
        (b'refresh_minutes = 5\ntoken = "s3cr3t-value\n', ":2: col "),
        (b"refresh_minutes = 5\n# caf\xe9 \xff\xfe\n", ":2: is not valid UTF-8"),
    ],
    ids=["inline-table", "unclosed-string", "not-utf8"],
)
def test_k2_invalid_file_exits_non_zero_with_position_and_is_never_rewritten(
    capsys: pytest.CaptureFixture[str], content: bytes, where: str
):
    """K2: invalid TOML / non-UTF-8 → exit ≠ 0, file:line:col shown, file untouched, no secret."""
    config = default_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_bytes(content)
    stamp = config.stat().st_mtime_ns
    code, _, err = run(["fetch"], capsys)
    assert code != 0
    assert f"{config}{where}" in err, err
    assert "s3cr3t" not in err and "Traceback" not in err
    assert config.read_bytes() == content and config.stat().st_mtime_ns == stamp
    code, _, err = run(["sources", "add", "https://news.example/feed.xml"], capsys)
    assert code != 0 and config.read_bytes() == content  # commands that write refuse too


def test_k2_config_is_a_directory(capsys: pytest.CaptureFixture[str]):
    """K2: the config path is a directory → a one-line error, exit ≠ 0."""
    default_paths().config_file.mkdir(parents=True)
    code, _, err = run(["fetch"], capsys)
    assert code != 0 and "is a directory" in err and "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a 0000 file")
def test_k2_unreadable_config(capsys: pytest.CaptureFixture[str]):
    """K2: an unreadable config → "cannot read", exit ≠ 0."""
    config = default_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("refresh_minutes = 5\n")
    config.chmod(0)
    code, _, err = run(["fetch"], capsys)
    assert code != 0 and "cannot read" in err


# -- K3 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('refresh_minutes = "soon"', "[refresh_minutes] expected an integer (minutes)"),
        ("refresh_minutes = -5",
         "[refresh_minutes] expected an integer (minutes) from 1 to 10080, got -5"),
        ("cache_size_mb = 1e12", "[cache_size_mb] expected an integer (MiB)"),
        ("prefetch = 1", "[prefetch] expected true or false"),
    ],
)
def test_k3_wrong_types_and_ranges_name_the_key(
    capsys: pytest.CaptureFixture[str], line: str, message: str
):
    """K3: wrong types/ranges → validation error naming the key and the expected type."""
    config = default_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"# settings\n{line}\n")
    code, _, err = run(["fetch", "--offline"], capsys)
    assert code != 0
    assert f"{config}:2: {message}" in err, err


def test_k3_unknown_keys_warn_and_huge_file_is_refused(capsys: pytest.CaptureFixture[str]):
    """K3: unknown keys → a warning and the app runs; a >1 MiB file is refused unread."""
    config = default_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("refresh_minutes = 5\nfiltercmd = 'rm -rf ~'\n")
    code, _, err = run(["fetch", "--offline"], capsys)
    assert code == 0
    assert f"{config}:2: [filtercmd] unknown key ignored" in err
    config.write_text("# padding\n" * 200_000)
    code, _, err = run(["fetch", "--offline"], capsys)
    assert code != 0 and "larger than 1 MiB" in err

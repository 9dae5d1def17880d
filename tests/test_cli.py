"""The command line: bad input gets a one-line error naming it; empty input is no error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from argmine.cli import main


def test_a_missing_path_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.txt"
    assert main(["analyze", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err


def test_a_directory_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_a_binary_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert main(["analyze", str(path)]) == 2
    assert "binary" in capsys.readouterr().err


def test_non_utf8_bytes_are_reported_with_their_offset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\u00e9 society matters.".encode("latin-1"))
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert "offset 3" in err and "--encoding" in err


def test_an_empty_file_gives_an_empty_tree_and_exit_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("  \n")
    assert main(["analyze", str(path)]) == 0
    assert "empty" in capsys.readouterr().err
    assert main(["analyze", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["units"] == []


def test_analyze_prints_a_tree_with_an_explicit_model(
    untrained_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "essay.txt"
    path.write_text("We should act now. The risks grow every year.\n\nSo act now.", "latin-1")
    assert (
        main(
            [
                "analyze",
                str(path),
                "--model",
                str(untrained_model_dir),
                "--encoding",
                "latin-1",
                "--show-none",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "[conclusion" in out
    assert (
        main(["analyze", str(path), "--model", str(untrained_model_dir), "--format", "json"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["text"].startswith("We should act now.")


def test_a_missing_model_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.txt"
    path.write_text("Some text.")
    assert main(["analyze", str(path), "--model", str(tmp_path / "no-model")]) == 2
    assert "no-model" in capsys.readouterr().err


def test_analyze_loads_the_model_in_the_precision_asked_for(
    untrained_model_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import argmine

    asked: list[str] = []
    load = argmine.load

    def spy(path: str | None = None, **kwargs: Any) -> Any:
        miner = load(path, **kwargs)
        asked.append(miner.precision)
        return miner

    monkeypatch.setattr(argmine, "load", spy)
    path = tmp_path / "t.txt"
    path.write_text("We should act now. The risks grow every year.")
    model = ["--model", str(untrained_model_dir)]
    assert main(["analyze", str(path), *model, "--precision", "float32"]) == 0
    assert main(["analyze", str(path), *model]) == 0
    assert asked == ["float32", "auto"]
    with pytest.raises(SystemExit) as exit_:
        main(["analyze", str(path), *model, "--precision", "half"])
    assert exit_.value.code == 2 and "'half'" in capsys.readouterr().err

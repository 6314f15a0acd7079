"""Benchmark downloads are unpacked once and shared by runs that only read them."""

from __future__ import annotations

import zipfile
from pathlib import Path

from benchmarks.pypi_sources import unpacked


def _wheel(path: Path, text: str) -> Path:
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("pkg/__init__.py", text)
    return path


def test_a_complete_unpack_is_reused(tmp_path: Path) -> None:
    archive = _wheel(tmp_path / "pkg-1.0-py3-none-any.whl", "x = 1\n")
    into = tmp_path / "projects" / "pkg-1.0"
    root = unpacked(archive, into)
    module = root / "pkg" / "__init__.py"
    assert module.read_text() == "x = 1\n"
    extra = root / "kept.txt"
    extra.write_text("a reader's file")
    # The same archive again: the tree is left as it is (no reader loses a file).
    assert unpacked(archive, into) == root
    assert extra.exists()
    assert not list(into.parent.glob("*.staging-*"))


def test_another_archive_or_a_partial_tree_is_unpacked_afresh(tmp_path: Path) -> None:
    into = tmp_path / "projects" / "pkg-1.0"
    (tmp_path / "a").mkdir()
    first = _wheel(tmp_path / "a" / "pkg-1.0-py3-none-any.whl", "x = 1\n")
    root = unpacked(first, into)
    (tmp_path / "b").mkdir()
    second = _wheel(tmp_path / "b" / "pkg-1.0-py3-none-any.whl", "x = 22\n")
    assert (unpacked(second, into) / "pkg" / "__init__.py").read_text() == "x = 22\n"
    # A tree without its marker (an unpack cut off) is not trusted.
    into.with_name(into.name + ".unpacked").unlink()
    (root / "pkg" / "__init__.py").write_text("damaged")
    assert (unpacked(second, into) / "pkg" / "__init__.py").read_text() == "x = 22\n"
    assert sorted(p.name for p in into.parent.iterdir()) == ["pkg-1.0", "pkg-1.0.unpacked"]

"""Released projects' source from PyPI, kept out of the repository.

The benchmarks that judge `sqla-checks` on real code download pinned releases with
pip: a source distribution when the project's own tests are needed, a pure-Python
wheel (which carries the source) when only the package's modules are. Each archive
is downloaded once into a cache folder and unpacked on demand.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path


class DownloadError(Exception):
    """pip could not download a release, or its archive is not what was asked for."""


def download(requirement: str, dest: Path, *, sdist: bool) -> Path:
    """The archive of the pinned `requirement` (`name==version`), downloaded once."""
    dest.mkdir(parents=True, exist_ok=True)
    found = _cached(requirement, dest, sdist)
    if found is not None:
        return found
    kind = ("--no-binary", ":all:") if sdist else ("--only-binary", ":all:")
    command = (sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *kind)
    completed = subprocess.run(
        (*command, "--dest", str(dest), requirement),
        capture_output=True,
        text=True,
        check=False,
    )
    found = _cached(requirement, dest, sdist)
    if completed.returncode != 0 or found is None:
        raise DownloadError(f"pip download {requirement} failed:\n{completed.stderr[-2000:]}")
    return found


def _cached(requirement: str, dest: Path, sdist: bool) -> Path | None:
    name, _, version = requirement.partition("==")
    for archive in sorted(dest.iterdir()):
        if sdist and archive.name.endswith(".tar.gz"):
            # name-version.tar.gz, where the name may itself hold hyphens.
            archive_name, _, archive_version = archive.name[: -len(".tar.gz")].rpartition("-")
        elif not sdist and archive.name.endswith("-py3-none-any.whl"):
            archive_name, archive_version = archive.name.split("-")[:2]
        else:
            continue
        if _normalised(archive_name) == _normalised(name) and archive_version == version:
            return archive
    return None


def _normalised(name: str) -> str:
    """A project name as PyPI compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def unpack(archive: Path, into: Path) -> Path:
    """Unpack `archive` into a new folder `into`; return the folder holding its files.

    A source distribution has one top folder (returned); a wheel is its own root.
    """
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    if archive.name.endswith(".whl"):
        with zipfile.ZipFile(archive) as wheel:
            wheel.extractall(into)
        return into
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    (root,) = into.iterdir()
    return root


def unpacked(archive: Path, into: Path) -> Path:
    """`unpack`'s folder for reading only: an earlier complete unpack of the same
    archive is reused, and a new one is made beside `into` and renamed into place.

    Runs that only read the files (recall, speed, precision) may then share one
    `--work` folder at the same time: none deletes a tree another is reading, and
    none sees a half-extracted one.
    """
    marker = into.with_name(into.name + ".unpacked")
    stamp = f"{archive.name} {archive.stat().st_size}\n"
    if into.exists() and marker.exists() and marker.read_text() == stamp:
        return _root(archive, into)
    staging = into.with_name(f"{into.name}.staging-{os.getpid()}")
    unpack(archive, staging)
    marker.unlink(missing_ok=True)
    if into.exists():
        retired = into.with_name(f"{into.name}.retired-{os.getpid()}")
        into.rename(retired)
        shutil.rmtree(retired)
    staging.rename(into)
    marker.write_text(stamp)
    return _root(archive, into)


def _root(archive: Path, into: Path) -> Path:
    if archive.name.endswith(".whl"):
        return into
    (root,) = into.iterdir()
    return root

"""What the corpus readers share: where the data lives, the not-found error, file order."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from argmine.errors import CorpusNotFoundError

#: Environment variable naming the folder that holds ``aae2/``, ``abstrct/``, ``microtext/``.
ENV_VAR = "ARGMINE_DATA"

# argmine/corpora/_common.py -> parents[2] is the repository root (or site-packages).
_REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class CorpusInfo:
    """How to tell a user where to get a corpus they lack."""

    name: str
    title: str
    folder: str
    source: str
    citation: str
    splits: tuple[str, ...]

    def check_split(self, split: str) -> None:
        """Raise ``ValueError`` naming the known splits unless ``split`` is one."""
        if split not in self.splits:
            raise ValueError(
                f"Unknown split {split!r} for corpus {self.name!r}; "
                f"known splits: {', '.join(self.splits)}."
            )


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding the corpora.

    In order: ``data_dir``; the ``ARGMINE_DATA`` environment variable;
    ``../shared/data`` from the current directory; ``../shared/data`` beside the
    repository root. The first two are taken as given, whether or not they exist (a
    missing corpus is then reported with that path); of the last two the first that
    exists wins, else the one beside the repository.

    Example:
        >>> resolve_data_dir("/data/corpora")
        PosixPath('/data/corpora')
    """
    if data_dir is not None:
        return Path(data_dir)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    from_cwd = Path.cwd().parent / "shared" / "data"
    beside_repo = _REPO_ROOT.parent / "shared" / "data"
    return from_cwd if from_cwd.is_dir() else beside_repo


def corpus_dir(info: CorpusInfo, data_dir: str | os.PathLike[str] | None, *parts: str) -> Path:
    """``<data dir>/<corpus folder>/<parts...>``, or :class:`CorpusNotFoundError`."""
    root = resolve_data_dir(data_dir)
    path = root.joinpath(info.folder, *parts)
    if not path.is_dir():
        raise CorpusNotFoundError(
            f"The {info.title} corpus ({info.name!r}) was not found: {path} is not a "
            f"folder. Obtain it from {info.source}; cite {info.citation}. Licences do not "
            f"allow shipping it with argmine. Put it at {root / info.folder} (or any "
            f"folder with a {info.folder}/ subfolder) and point argmine at that folder: "
            f"set {ENV_VAR}=/path/to/data or pass data_dir='/path/to/data'."
        )
    return path


def natural_key(path: Path) -> tuple[object, ...]:
    """Sort key that orders ``micro_b2`` before ``micro_b10`` and PubMed ids numerically.

    Example:
        >>> sorted(["b10", "b2", "a1"], key=lambda s: natural_key(Path(s)))
        ['a1', 'b2', 'b10']
    """
    return tuple(
        (0, int(tok), "") if tok.isdigit() else (1, 0, tok)
        for tok in re.split(r"(\d+)", path.stem)
        if tok
    )

"""Files a restore writes: every target checked and every copy staged before anything live changes.

docs/architecture.md, "Backup and restore": a restore is all or nothing.
Before the database is locked, each state file and log the restore writes
is copied to a dot-named temporary file in its target's folder (same disk,
so putting it in place is one rename), and each target is checked: no
symbolic link on the way from the data home (or the log folder) to it - a
restore never writes through a link, which could point anywhere - and no
folder or other non-file where a file goes. Anything wrong is refused with
the path and what to do, and nothing has changed.

Putting the files in place keeps the replaced originals as hard links until
the end; ``undo`` puts them back and removes what was created, so a failure
after the first rename (or a failed database commit) leaves the home as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ArchiveError, make_private

CHUNK = 1 << 20


def check_target(root: Path, target: Path, what: str) -> None:
    """Refuse a target reached through a symbolic link below ``root``, or one that is not a regular file."""
    try:
        rel = target.relative_to(root)
    except ValueError:
        rel = Path(target.name)
        root = target.parent
    here = root
    for part in rel.parts:
        here = here / part
        try:
            st = here.lstat()
        except FileNotFoundError:
            return  # created by the restore from here on
        except OSError as exc:
            raise ArchiveError(f"refused: cannot check {here} ({exc.strerror}); nothing was changed") from exc
        if stat.S_ISLNK(st.st_mode):
            raise ArchiveError(f"refused: {here} is a symbolic link (to {os.readlink(here)}); a restore never "
                               f"writes through a link - replace it with a real folder or file, then restore "
                               f"again; nothing was changed")
        last = here == target
        if last and not stat.S_ISREG(st.st_mode):
            kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
            raise ArchiveError(f"refused: {here} is {kind}, but the archive has {what} there - move it away, "
                               f"then restore again; nothing was changed")
        if not last and not stat.S_ISDIR(st.st_mode):
            raise ArchiveError(f"refused: {here} is a file, but the archive has a folder there ({what}) - move "
                               f"it away, then restore again; nothing was changed")


def split_log_name(name: str) -> tuple[str, str]:
    """``audit.jsonl`` -> (``audit``, ``.jsonl``); ``bot.log.1`` -> (``bot``, ``.log.1``); where a suffix goes."""
    if name.endswith(".jsonl"):
        return name[: -len(".jsonl")], ".jsonl"
    stem, dot, rest = name.lstrip(".").partition(".")
    lead = name[: len(name) - len(name.lstrip("."))]
    return lead + stem, (dot + rest)


@dataclass
class Staged:
    """One copy waiting beside its target."""

    tmp: Path
    target: Path
    new_name: bool  # logs: never overwrite; the target may get a -2, -3 ... suffix when put in place
    placed: Path | None = None
    original: Path | None = None  # hard link to the replaced file, until ``done``


@dataclass
class Stager:
    """Stages copies, puts them in place, and undoes that if the restore cannot finish."""

    tag: str
    items: list[Staged] = field(default_factory=list)
    made_dirs: list[Path] = field(default_factory=list)

    def _mkdirs(self, folder: Path) -> None:
        missing = []
        here = folder
        while not here.exists():
            missing.append(here)
            here = here.parent
        for d in reversed(missing):
            d.mkdir(mode=0o700)
            self.made_dirs.append(d)

    def stage(self, src: Path, target: Path, new_name: bool = False) -> Staged:
        """Copy ``src`` into a temporary file beside ``target`` (fsynced)."""
        try:
            self._mkdirs(target.parent)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.{self.tag}.restore")
            with open(src, "rb") as fin, open(tmp, "xb") as fout:
                item = Staged(tmp, target, new_name)
                self.items.append(item)
                make_private(fout.fileno())
                shutil.copyfileobj(fin, fout, CHUNK)
                fout.flush()
                os.fsync(fout.fileno())
        except OSError as exc:
            raise ArchiveError(f"could not prepare {target} ({exc.strerror or exc}); nothing was changed") from exc
        return item

    def place_all(self) -> None:
        """Put every staged copy in place (replace state files, create logs under a free name)."""
        for item in self.items:
            try:
                self._place(item)
            except OSError as exc:
                raise ArchiveError(f"could not write {item.target} ({exc.strerror or exc})") from exc

    def _place(self, item: Staged) -> None:
        if item.new_name:
            candidate, n = item.target, 1
            while True:
                try:
                    os.link(item.tmp, candidate)
                    break
                except FileExistsError:
                    n += 1
                    stem, suffix = split_log_name(item.target.name)
                    candidate = item.target.with_name(f"{stem}-{n}{suffix}")
            item.placed = candidate
            item.tmp.unlink()
            return
        if item.target.exists():
            keep = item.target.with_name(f".{item.target.name}.{os.getpid()}.{self.tag}.orig")
            os.link(item.target, keep)
            item.original = keep
        os.replace(item.tmp, item.target)
        item.placed = item.target

    def undo(self) -> list[str]:
        """Put back what ``place_all`` changed; remove temporary files and created folders. Returns problems."""
        problems = []
        for item in reversed(self.items):
            try:
                if item.placed is not None and item.original is not None:
                    os.replace(item.original, item.placed)
                elif item.placed is not None:
                    item.placed.unlink(missing_ok=True)
                item.tmp.unlink(missing_ok=True)
            except OSError as exc:
                problems.append(f"{item.target}: {exc.strerror or exc}")
        for d in reversed(self.made_dirs):
            with contextlib.suppress(OSError):
                d.rmdir()
        return problems

    def done(self) -> None:
        """The restore is complete: drop the kept originals (they are in the safety archive)."""
        for item in self.items:
            if item.original is not None:
                item.original.unlink(missing_ok=True)
            item.tmp.unlink(missing_ok=True)


__all__ = ["Staged", "Stager", "check_target", "split_log_name"]

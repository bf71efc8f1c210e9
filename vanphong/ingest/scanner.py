"""The scanner folder: files a network scanner (or a clerk) drops into a folder become intakes.

A file is taken only once it is stable — the same size and modification time at two consecutive looks — so a
scan still being written is left alone (an empty file waits a minute: scanners create the file before writing).
Each file becomes an intake (source ``scanner``, no actor) and is moved to ``DIR/da-xu-ly/``; a file the
preflight refuses is moved to ``DIR/loi/`` with ``<name>.txt`` beside it holding the Vietnamese reason. A file
that fails for another reason (database unavailable …) stays where it is and is tried again at the next look.
Hidden and temporary files (``.*``, ``~$*``, ``*.part``, ``*.tmp``, ``*.crdownload``) are ignored.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from vanphong.core.exceptions import VanphongError
from vanphong.org.models import Unit

from .models import IntakeSource
from .preflight import max_bytes, too_large
from .services import intake_create

logger = logging.getLogger(__name__)

DONE_DIR = "da-xu-ly"
ERROR_DIR = "loi"
IGNORED_PREFIXES = (".", "~$")
IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".swp")
EMPTY_FILE_GRACE_SECONDS = 60


@dataclass(frozen=True)
class ScanOutcome:
    """What happened to one file: ``ok`` with the intake id, or the reason it was refused."""

    filename: str
    moved_to: Path
    ok: bool
    intake_id: int | None = None
    message: str = ""


def _free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name-1``, ``name-2`` … before the extension when it is taken."""
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 1
    while target.exists() or (folder / f"{target.name}.txt").exists():
        target = folder / f"{stem}-{n}{suffix}"
        n += 1
    return target


class ScannerWatcher:
    """Polls one folder for one unit. ``look()`` returns the files stable since the previous look; ``poll()``
    takes them in."""

    def __init__(self, directory: Path, unit: Unit) -> None:
        self.directory = Path(directory)
        self.unit = unit
        self._seen: dict[str, tuple[int, int]] = {}

    def _candidates(self) -> list[Path]:
        files = []
        with os.scandir(self.directory) as entries:
            for entry in entries:
                name = entry.name
                if not entry.is_file(follow_symlinks=False):
                    continue
                if name.startswith(IGNORED_PREFIXES) or name.lower().endswith(IGNORED_SUFFIXES):
                    continue
                files.append(Path(entry.path))
        return sorted(files)

    def look(self) -> list[Path]:
        """Files whose size and modification time have not changed since the previous call."""
        now = time.time()
        current: dict[str, tuple[int, int]] = {}
        stable: list[Path] = []
        for path in self._candidates():
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            current[path.name] = (st.st_size, st.st_mtime_ns)
            if self._seen.get(path.name) != current[path.name]:
                continue
            if st.st_size == 0 and now - st.st_mtime < EMPTY_FILE_GRACE_SECONDS:
                continue
            stable.append(path)
        self._seen = current
        return stable

    def _move(self, path: Path, folder_name: str) -> Path:
        folder = self.directory / folder_name
        folder.mkdir(exist_ok=True)
        target = _free_name(folder, path.name)
        os.replace(path, target)
        return target

    def take(self, path: Path) -> ScanOutcome | None:
        """Turn one file into an intake; ``None`` when it must be tried again later."""
        try:
            size = path.stat().st_size
            if size > max_bytes():
                raise too_large(path.name, size)
            data = path.read_bytes()
            intake = intake_create(
                actor=None, unit=self.unit, source=IntakeSource.SCANNER, filename=path.name, data=data
            )
        except VanphongError as exc:
            target = self._move(path, ERROR_DIR)
            Path(f"{target}.txt").write_text(exc.message + "\n", encoding="utf-8")
            logger.info("scanner folder: %s refused: %s", path.name, exc.message)
            return ScanOutcome(filename=path.name, moved_to=target, ok=False, message=exc.message)
        except FileNotFoundError:
            return None
        except Exception:
            logger.exception("scanner folder: %s could not be taken in; will try again", path.name)
            return None
        target = self._move(path, DONE_DIR)
        return ScanOutcome(filename=path.name, moved_to=target, ok=True, intake_id=intake.pk)

    def poll(self) -> list[ScanOutcome]:
        """One round: take in every stable file."""
        outcomes = []
        for path in self.look():
            outcome = self.take(path)
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

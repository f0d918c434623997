"""The run directory: a self-describing record of one run (see docs/run_directory.md).

`RunDir` knows where every file lives and keeps `run.json` (a `RunRecord`). Stages decide whether they
are done by looking at their own output files, which is what makes `--resume` work after a kill.
"""

from __future__ import annotations

import importlib.metadata
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from autolibra.errors import InputError
from optimizer.records import RunKind, RunRecord, Status, read_record, write_record

_PACKAGES = ("ladder-autolibra", "dspy", "litellm", "xllamacpp", "gymnasium", "numpy", "pydantic")


def package_versions() -> dict[str, str]:
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return versions


class RunDir:
    def __init__(self, path: str | Path):
        # Absolute, so that a path built from `self.path` (an iteration folder, say) can be handed back
        # without being joined onto a relative run path a second time.
        self.path = Path(path).absolute()

    # -- creation and status ---------------------------------------------------------------
    @classmethod
    def create(cls, out_dir: Path, name: str, config: dict[str, Any], kind: RunKind = "run") -> "RunDir":
        """A new run directory `<out_dir>/<stamp>_<name>` (suffixed when that name is taken)."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "run"
        path = Path(out_dir) / f"{stamp}_{safe}"
        suffix = 1
        while path.exists():
            suffix += 1
            path = Path(out_dir) / f"{stamp}_{safe}-{suffix}"
        return cls.initialize(path, name, config, kind)

    @classmethod
    def initialize(cls, path: Path, name: str, config: dict[str, Any], kind: RunKind = "run") -> "RunDir":
        """Make `path` a run directory (keeping the record of one that already is)."""
        path.mkdir(parents=True, exist_ok=True)
        run = cls(path)
        if not run.record_path.exists():
            run.write_record(RunRecord(kind=kind, name=name, config=config, packages=package_versions()))
        return run

    @classmethod
    def open(cls, path: str | Path) -> "RunDir":
        run = cls(path)
        if not run.record_path.exists():
            raise InputError(f"{path} is not a run directory (no run.json)")
        return run

    @property
    def record_path(self) -> Path:
        return self.path / "run.json"

    def read_record(self) -> RunRecord:
        return read_record(self.record_path, RunRecord)

    def write_record(self, record: RunRecord) -> None:
        record.updated_at = datetime.now(timezone.utc)
        write_record(self.record_path, record)

    def set_status(self, status: Status, *, iteration: int | None = None, message: str = "") -> None:
        record = self.read_record()
        record.status = status
        record.message = message
        if iteration is not None:
            record.iteration = iteration
        self.write_record(record)

    # -- paths -----------------------------------------------------------------------------
    def iteration(self, index: int) -> Path:
        path = self.path / "iterations" / f"{index:03d}"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def iterations(self) -> list[Path]:
        root = self.path / "iterations"
        return sorted(p for p in root.iterdir() if p.is_dir()) if root.exists() else []

    @property
    def lm_log(self) -> Path:
        return self.path / "lm_calls.jsonl"

    @property
    def lm_cache(self) -> Path:
        return self.path / "lm_cache"

    @property
    def plots(self) -> Path:
        path = self.path / "plots"
        path.mkdir(exist_ok=True)
        return path

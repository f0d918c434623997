"""The run directory: a self-describing record of one optimization run (see docs/run_directory.md).

`RunDir` knows where every file lives and reads/writes `run.json`. Stages decide whether they are done
by looking at their output files, which is what makes `--resume` work after a kill at any moment.
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from autolibra.errors import InputError
from autolibra.jsonl import atomic_write_text

FORMAT_VERSION = 1
Status = Literal["running", "waiting_for_feedback", "done", "failed"]
_PACKAGES = ("ladder", "dspy", "litellm", "xllamacpp", "gymnasium", "numpy", "pydantic")


class RunRecord(BaseModel):
    format_version: int = FORMAT_VERSION
    name: str
    status: Status = "running"
    config: dict[str, Any]
    iteration: int = 0  # the iteration in progress (or last finished, when done)
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    updated_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    packages: dict[str, str] = Field(default_factory=dict)
    python: str = platform.python_version()
    message: str = ""  # why it stopped, when it did


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
        # Absolute, so that a path built from `self.path` (an iteration folder, say) can be handed back to
        # write_json/read_json without being joined onto a relative run path a second time.
        self.path = Path(path).absolute()

    # -- creation and status ---------------------------------------------------------------
    @classmethod
    def create(cls, out_dir: Path, name: str, config: dict[str, Any]) -> "RunDir":
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "run"
        path = Path(out_dir) / f"{stamp}_{safe}"
        suffix = 1
        while path.exists():
            suffix += 1
            path = Path(out_dir) / f"{stamp}_{safe}-{suffix}"
        return cls.initialize(path, name, config)

    @classmethod
    def initialize(cls, path: Path, name: str, config: dict[str, Any]) -> "RunDir":
        """Make `path` a run directory (keeping the record of one that already is)."""
        path.mkdir(parents=True, exist_ok=True)
        run = cls(path)
        if not run.record_path.exists():
            run.write_record(RunRecord(name=name, config=config, packages=package_versions()))
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
        try:
            return RunRecord.model_validate_json(self.record_path.read_text(encoding="utf-8"))
        except Exception as error:  # a corrupt run.json must be named, not crash with a trace
            raise InputError(f"{self.record_path}: unreadable run record: {error}") from None

    def write_record(self, record: RunRecord) -> None:
        record.updated_at = datetime.now(timezone.utc)
        atomic_write_text(self.record_path, record.model_dump_json(indent=2) + "\n")

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

    def write_json(self, relative: str | Path, data: Any) -> Path:
        target = self.path / relative  # an absolute path inside the run works as well
        atomic_write_text(target, json.dumps(data, indent=2, default=str) + "\n")
        return target

    def read_json(self, relative: str | Path, default: Any = None) -> Any:
        target = self.path / relative
        if not target.exists():
            return default
        return json.loads(target.read_text(encoding="utf-8"))

"""Reading and writing JSONL files of pydantic records, with errors that point at the bad line."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from autolibra.errors import DataError

M = TypeVar("M", bound=BaseModel)


def iter_jsonl(path: str | Path, model: type[M]) -> Iterator[M]:
    """Yield one record per non-blank line; a bad line raises DataError naming file and line."""
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", str(path))
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield model.model_validate_json(line)
            except ValidationError as error:
                raise DataError(f"not a valid {model.__name__}: {_short(error)}", str(path), number) from None


def read_jsonl(path: str | Path, model: type[M]) -> list[M]:
    return list(iter_jsonl(path, model))


def read_jsonl_tolerant(path: str | Path, model: type[M]) -> tuple[list[M], int]:
    """Read what can be read; a truncated last line (a killed writer) is skipped and counted."""
    path = Path(path)
    if not path.exists():
        return [], 0
    records, bad = [], 0
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(model.model_validate_json(line))
        except ValidationError as error:
            if number == len(lines):
                bad += 1  # a partial line left by a killed process
            else:
                raise DataError(f"not a valid {model.__name__}: {_short(error)}", str(path), number) from None
    return records, bad


def append_jsonl(path: str | Path, record: BaseModel) -> None:
    """Append one record and flush it to disk, so a crash loses nothing already written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(record.model_dump_json() + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def write_jsonl(path: str | Path, records: Iterable[BaseModel]) -> None:
    atomic_write_text(path, "".join(r.model_dump_json() + "\n" for r in records))


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write via a temporary file and rename, so readers never see a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes files private; records are meant to be shared like any file
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json(path: str | Path, record: BaseModel | dict) -> None:
    text = record.model_dump_json(indent=2) if isinstance(record, BaseModel) else json.dumps(record, indent=2)
    atomic_write_text(path, text + "\n")


def _short(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(p) for p in item["loc"]) or "(record)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)

"""What to annotate and where feedback goes: the queue, saving, drafts.

A source is either a run directory (the requested trajectories of the latest iteration that has a
`feedback_request.json`) or a JSONL file of Trajectory records (all of them; feedback goes to `--out`,
default `<stem>.feedback.jsonl` beside it). Both front ends (terminal and web) share `FeedbackStore`.

Saving rewrites the feedback file atomically under a file lock: a reader (the loop, another annotator's
front end) never sees half a line, and two annotators saving at once never drop each other's records.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from autolibra.errors import DataError, InputError
from autolibra.jsonl import atomic_write_text, read_jsonl_tolerant, write_jsonl
from autolibra.schema import Feedback, Trajectory
from optimizer.records import FeedbackRequest, read_record

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


@dataclass
class AnnotationSource:
    """The trajectories in scope (in display order) and the file their feedback lives in."""

    trajectories: list[Trajectory]
    feedback_path: Path
    run_dir: Path | None = None  # set for run directories: the viewers read metrics, traits, plots there
    iteration_dir: Path | None = None
    label: str = ""  # shown in the page title and the terminal header

    def get(self, trajectory_id: str) -> Trajectory:
        for trajectory in self.trajectories:
            if trajectory.id == trajectory_id:
                return trajectory
        raise InputError(f"unknown trajectory id {trajectory_id!r}")


def annotator_id(name: str | None) -> str:
    """`alice` -> `human:alice`; a name that already has a kind (`human:alice`) is kept as it is."""
    name = (name or _default_user()).strip()
    kind, _, bare = name.rpartition(":")
    if not _NAME.match(bare) or (kind and not _NAME.match(kind)):
        raise InputError(f"bad annotator name {name!r}: use letters, digits and _ . @ - (at most 64)")
    return name if kind else f"human:{bare}"


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user database entry (some containers)
        return "anonymous"


def open_source(path: str | Path, out: str | Path | None = None) -> AnnotationSource:
    path = Path(path)
    if path.is_dir():
        if out is not None:
            raise InputError("--out applies to a JSONL of trajectories; a run directory keeps feedback "
                             "in iterations/NNN/feedback.jsonl")
        return _open_run(path)
    if path.is_file():
        return _open_data(path, Path(out) if out else None)
    raise InputError(f"{path} does not exist: give a run directory or a JSONL file of trajectories")


def _open_run(run: Path) -> AnnotationSource:
    if not (run / "run.json").exists():
        raise InputError(f"{run} is not a run directory (no run.json)")
    iterations = sorted(p for p in (run / "iterations").glob("[0-9]*") if (p / "feedback_request.json").exists())
    if not iterations:
        raise InputError(f"{run} asks for no feedback: no iterations/NNN/feedback_request.json "
                         "(a run with a `human` feedback source writes one and pauses)")
    iteration = iterations[-1]
    request_path = iteration / "feedback_request.json"
    requested = read_record(request_path, FeedbackRequest).trajectory_ids
    rollouts, _ = read_jsonl_tolerant(iteration / "rollouts.jsonl", Trajectory)
    by_id = {t.id: t for t in rollouts}
    missing = [i for i in requested if i not in by_id]
    if missing:
        raise DataError(f"requested trajectories not in rollouts.jsonl: {', '.join(map(str, missing[:5]))}",
                        str(request_path))
    return AnnotationSource([by_id[i] for i in requested], iteration / "feedback.jsonl", run, iteration,
                            label=f"{run.name} / iteration {iteration.name}")


def _open_data(data: Path, out: Path | None) -> AnnotationSource:
    trajectories, bad = read_jsonl_tolerant(data, Trajectory)
    if bad:
        log.warning("%s: skipped a truncated last line", data)
    if not trajectories:
        raise DataError("no Trajectory records in it", str(data))
    ids = [t.id for t in trajectories]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise DataError(f"trajectory id {dup!r} appears more than once", str(data))
    out = out or data.with_name(f"{data.stem}.feedback.jsonl")
    return AnnotationSource(trajectories, out, label=data.name)


class FeedbackStore:
    """Reads and writes the feedback file of one source; safe to share between threads."""

    def __init__(self, source: AnnotationSource):
        self.source = source
        self.path = source.feedback_path

    def all_feedback(self) -> list[Feedback]:
        records, bad = read_jsonl_tolerant(self.path, Feedback)
        if bad:
            log.warning("%s: ignoring a truncated last line", self.path)
        return records

    def by_annotator(self, annotator: str) -> dict[str, Feedback]:
        return {f.trajectory_id: f for f in self.all_feedback() if f.annotator == annotator}

    def queue(self, annotator: str) -> list[Trajectory]:
        done = self.by_annotator(annotator)
        return [t for t in self.source.trajectories if t.id not in done]

    def save(self, trajectory_id: str, text: str, annotator: str) -> Feedback:
        """Write (or replace) this annotator's feedback on one trajectory."""
        self.source.get(trajectory_id)  # an unknown id is an input error, not a stray record
        try:
            record = Feedback(trajectory_id=trajectory_id, text=text.strip(), annotator=annotator)
        except ValueError:
            raise InputError("feedback text is empty") from None
        with self._locked():
            others = [f for f in self.all_feedback()
                      if not (f.trajectory_id == trajectory_id and f.annotator == annotator)]
            write_jsonl(self.path, [*others, record])
        return record

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(f".{self.path.name}.lock")
        with lock_path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- drafts: text typed but not yet submitted, kept across Ctrl-C --------------------------
    def draft_path(self, annotator: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.@-]", "_", annotator)
        return self.path.with_name(f".{self.path.name}.{safe}.draft.json")

    def save_draft(self, annotator: str, trajectory_id: str, text: str) -> Path:
        path = self.draft_path(annotator)
        atomic_write_text(path, json.dumps({"trajectory_id": trajectory_id, "text": text}) + "\n")
        return path

    def load_draft(self, annotator: str) -> tuple[str, str] | None:
        path = self.draft_path(annotator)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return str(data["trajectory_id"]), str(data["text"])
        except (ValueError, KeyError, TypeError):
            log.warning("%s: unreadable draft, ignored", path)
            return None

    def clear_draft(self, annotator: str) -> None:
        self.draft_path(annotator).unlink(missing_ok=True)


def annotation_queue(run_dir_or_data: str | Path, annotator: str, out: str | Path | None = None
                     ) -> list[Trajectory]:
    """The trajectories still waiting for feedback from `annotator` (a bare name means `human:NAME`)."""
    source = open_source(run_dir_or_data, out)
    return FeedbackStore(source).queue(annotator_id(annotator))

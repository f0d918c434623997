"""`ladder annotate RUN_OR_DATA`: step through each trajectory in the terminal, then write feedback.

Plain `input()` (with readline's line editing when it is a terminal), so it works over ssh, in tmux and
through a pseudo-terminal in tests. Each feedback is saved as soon as it is written; on Ctrl-C while
typing, the lines typed so far (and the half-typed one, which readline still holds) become a draft that the
next start offers back. Model output is printed with control characters made visible, so a reply that
contains terminal escape sequences cannot repaint or hijack the annotator's terminal.
"""

from __future__ import annotations

import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from autolibra.schema import Trajectory

from optimizer.annotate.store import AnnotationSource, FeedbackStore, annotator_id, open_source

HELP = ("[Enter] next step   p previous step   f write feedback now   s skip trajectory   "
        "b back to previous trajectory   i instruction   q quit")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class _Quit(Exception):
    pass


@dataclass
class TerminalResult:
    saved: int = 0
    skipped: int = 0
    remaining: int = 0


def safe(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in safe(text).splitlines()) or prefix + "(empty)"


def _partial_line() -> str:
    """The half-typed line at Ctrl-C: readline keeps it in its buffer."""
    module = sys.modules.get("readline")
    try:
        return module.get_line_buffer() if module else ""
    except Exception:
        return ""


@contextmanager
def _no_second_interrupt() -> Iterator[None]:
    """Hold off SIGINT while a draft is saved: people often press Ctrl-C twice, and a press must not cut
    the save short. It is delivered (and ends the program) once the draft is on disk."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class TerminalSession:
    def __init__(self, store: FeedbackStore, annotator: str, read: Callable[[str], str],
                 write: Callable[[str], None]):
        self.store, self.annotator, self.read, self.write = store, annotator, read, write
        self.drafts: dict[str, str] = {}

    # -- one trajectory ----------------------------------------------------------------------
    def header(self, trajectory: Trajectory, position: int, total: int) -> None:
        in_scope = len(self.store.source.trajectories)
        done = in_scope - len(self.store.queue(self.annotator))
        self.write(f"\n==== [{position + 1}/{total}] {safe(trajectory.id)} · {safe(trajectory.task)}"
                   f" seed {trajectory.seed} · outcome {safe(trajectory.outcome)}"
                   f" (success={trajectory.success}) · {len(trajectory.steps)} steps"
                   f" · {done}/{in_scope} annotated by you ====")
        if trajectory.instruction:
            first = trajectory.instruction.strip().splitlines()[0]
            self.write(f"instruction: {safe(first[:160])}{' ...' if len(trajectory.instruction) > 160 else ''}"
                       "  (i: show all)")
        mine = self.store.by_annotator(self.annotator).get(trajectory.id)
        if mine:
            self.write(f"your saved feedback (writing again replaces it):\n{_indent(mine.text)}")

    def show_step(self, trajectory: Trajectory, index: int) -> None:
        step = trajectory.steps[index]
        self.write(f"---- step {index + 1}/{len(trajectory.steps)} ----")
        grid = step.info.get("grid")
        if isinstance(grid, str) and grid.strip():
            self.write("grid:\n" + _indent(grid))
        self.write("observation:\n" + _indent(step.observation))
        if step.reasoning:
            self.write("reasoning:\n" + _indent(step.reasoning))
        note = "" if step.valid else f"   (invalid output {safe(step.raw_output[:80])!r}; default action used)"
        reward = f"   reward {step.reward:g}" if step.reward else ""
        self.write(f"action: {safe(step.action)}{note}{reward}")

    def show_end(self, trajectory: Trajectory) -> None:
        self.write(f"---- end: {safe(trajectory.outcome)}, success={trajectory.success}, "
                   f"return {trajectory.episode_return:g}, progression {trajectory.progression:g} ----")
        if trajectory.final_observation:
            self.write("final observation:\n" + _indent(trajectory.final_observation))

    def annotate(self, trajectory: Trajectory, position: int, total: int) -> str:
        """Returns `saved`, `skipped` or `back`; raises _Quit."""
        self.header(trajectory, position, total)
        self.write(HELP)
        index = 0
        if trajectory.id in self.drafts or not trajectory.steps:
            index = len(trajectory.steps)  # resuming a draft, or nothing to step through: straight to writing
        else:
            self.show_step(trajectory, 0)
        while True:
            if index >= len(trajectory.steps):
                self.show_end(trajectory)
                if self.write_feedback(trajectory):
                    return "saved"
                index = max(0, len(trajectory.steps) - 1)  # cancelled: back to the last step
                self.write(HELP)
                continue
            command = self._read_or_quit(f"step {index + 1}/{len(trajectory.steps)} [Enter p f s b i q] > ")
            command = command.strip().lower()
            if command in ("", "n"):
                index += 1
                if index < len(trajectory.steps):
                    self.show_step(trajectory, index)
            elif command == "p":
                index = max(0, index - 1)
                self.show_step(trajectory, index)
            elif command == "f":
                index = len(trajectory.steps)
            elif command in ("s", "b"):
                return "skipped" if command == "s" else "back"
            elif command == "i":
                self.write("instruction:\n" + _indent(trajectory.instruction or "(not recorded)"))
            elif command == "q":
                raise _Quit
            else:
                self.write(f"unknown command {command!r}. {HELP}")

    def write_feedback(self, trajectory: Trajectory) -> bool:
        """Read lines until an empty one; True when saved, False when cancelled."""
        self.write(f"Feedback on {safe(trajectory.id)}: several lines are fine; an empty line ends it, "
                   "a lone '.' cancels, Ctrl-C keeps what you typed as a draft.")
        lines = self.drafts.pop(trajectory.id, "").splitlines()
        for line in lines:
            self.write(f"  (draft) {safe(line)}")
        while True:
            try:
                line = self.read("> ")
            except KeyboardInterrupt:
                with _no_second_interrupt():
                    text = "\n".join([*lines, _partial_line()]).strip()
                    if text:
                        path = self.store.save_draft(self.annotator, trajectory.id, text)
                        self.write(f"\ndraft kept in {path}; it will be offered on the next start")
                raise
            except EOFError:
                text = "\n".join(lines).strip()
                if text:
                    self.store.save_draft(self.annotator, trajectory.id, text)
                raise _Quit from None
            if line.strip() == "." and len(lines) == 0:
                return False
            if not line.strip():
                if lines:
                    break
                self.write("(nothing typed yet: write your feedback, or '.' to go back to the steps)")
                continue
            lines.append(line)
            with _no_second_interrupt():   # a Ctrl-C now ends the program once this line is kept
                self.store.save_draft(self.annotator, trajectory.id, "\n".join(lines))
        text = "\n".join(lines).strip()
        self.store.save(trajectory.id, text, self.annotator)
        self.store.clear_draft(self.annotator)
        self.write(f"saved to {self.store.path}")
        return True

    def _read_or_quit(self, prompt: str) -> str:
        try:
            return self.read(prompt)
        except EOFError:
            raise _Quit from None

    # -- the whole queue ---------------------------------------------------------------------
    def offer_draft(self, queue: list[Trajectory]) -> list[Trajectory]:
        draft = self.store.load_draft(self.annotator)
        if draft is None:
            return queue
        tid, text = draft
        try:
            trajectory = self.store.source.get(tid)
        except Exception:
            return queue  # a draft for a trajectory no longer in scope
        self.write(f"A draft you did not submit, on {safe(tid)}:\n{_indent(text)}")
        answer = self._read_or_quit("continue it? [Y/n] > ").strip().lower()
        if answer in ("", "y", "yes"):
            self.drafts[tid] = text
            return [trajectory, *[t for t in queue if t.id != tid]]
        self.store.clear_draft(self.annotator)
        return queue

    def run(self) -> TerminalResult:
        total = len(self.store.source.trajectories)
        queue = self.offer_draft(self.store.queue(self.annotator))
        self.write(f"ladder annotate: {safe(self.store.source.label)} as {self.annotator}: "
                   f"{len(queue)} to do of {total}; feedback goes to {self.store.path}")
        result = TerminalResult()
        position = 0
        try:
            while 0 <= position < len(queue):
                outcome = self.annotate(queue[position], position, len(queue))
                if outcome == "back":
                    if position == 0:
                        self.write("already at the first trajectory")
                    position = max(0, position - 1)
                    continue
                result.saved += outcome == "saved"
                result.skipped += outcome == "skipped"
                position += 1
        except _Quit:
            self.write("quit")
        result.remaining = len(self.store.queue(self.annotator))
        self.write(f"done: {result.saved} saved, {result.skipped} skipped, {result.remaining} still without "
                   f"your feedback (of {total})")
        return result


def run_terminal(source: str | Path | AnnotationSource, annotator: str | None = None, *,
                 out: str | Path | None = None, read: Callable[[str], str] | None = None,
                 write: Callable[[str], None] | None = None) -> TerminalResult:
    """Annotate the queue interactively. `read`/`write` default to input()/print()."""
    if not isinstance(source, AnnotationSource):
        source = open_source(source, out)
    if read is None and sys.stdin.isatty():
        import readline  # noqa: F401  (line editing, and it keeps the half-typed line on Ctrl-C)
    session = TerminalSession(FeedbackStore(source), annotator_id(annotator), read or input,
                              write or (lambda text: print(text, flush=True)))
    return session.run()

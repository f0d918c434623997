"""`ladder annotate` in the terminal, driven through a real pseudo-terminal (readline, Ctrl-C and all)."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from autolibra.jsonl import read_jsonl
from autolibra.schema import Feedback, Step, Trajectory
from optimizer.annotate import run_terminal
from optimizer.annotate.store import AnnotationSource

pytestmark = pytest.mark.timeout(60)


class Pty:
    """A child process on a pseudo-terminal: the terminal turns ^C into SIGINT, as a real one does."""

    def __init__(self, argv: list[str], cwd: Path):
        env = dict(os.environ, TERM="dumb", COLUMNS="200")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: a login terminal's signal state (nothing inherited), then exec
            # A test run started as a background job of a non-interactive shell (as a CI runner may do)
            # ignores SIGINT, and an ignored signal stays ignored across exec: Ctrl-C would do nothing.
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
            os.chdir(cwd)
            os.execvpe(argv[0], argv, env)
        self.output = ""

    def expect(self, pattern: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.output):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {pattern!r}; output so far:\n{self.output[-2000:]}")
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self.fd, 4096).decode(errors="replace")
                except OSError:  # the child closed the terminal
                    pass

    def signal_state(self) -> str:
        """The child's run state and signal masks, for a failure message (Linux /proc)."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text().splitlines()
            wchan = Path(f"/proc/{self.pid}/wchan").read_text()
        except OSError as error:
            return f"(no /proc entry: {error})"
        keep = ("State", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt")
        return "; ".join(line for line in status if line.startswith(keep)) + f"; wchan {wchan}"

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def line(self, text: str = "") -> None:
        self.send(text + "\r")

    def wait(self, timeout: float = 15) -> int:
        """Drain the output (or the child may block writing its last lines) until the child exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            if select.select([self.fd], [], [], 0.1)[0]:
                try:
                    self.output += os.read(self.fd, 4096).decode(errors="replace")
                except OSError:
                    time.sleep(0.05)
        raise AssertionError(f"the child did not exit; output so far:\n{self.output[-2000:]}")


def interrupt_until(term: Pty, pattern: str, attempts: int = 4) -> None:
    """Press Ctrl-C, again if nothing happens, as a person would. CPython's readline loop only notices a
    signal that interrupts its select(); one that lands while it is still handling a key is seen only
    at the next signal (on a loaded machine that window is real, so one press can go unanswered)."""
    for _ in range(attempts - 1):
        time.sleep(0.3)  # let readline get back to waiting for keys
        term.send("\x03")
        try:
            term.expect(pattern, timeout=5)
            return
        except AssertionError:
            continue
    term.send("\x03")
    try:
        term.expect(pattern)
    except AssertionError as error:
        raise AssertionError(f"{error}\nchild after {attempts} Ctrl-C: {term.signal_state()}") from None


@pytest.fixture
def run_dir(fixtures_dir, tmp_path) -> Path:
    return Path(shutil.copytree(fixtures_dir / "annotate" / "run", tmp_path / "run"))


def annotate(run_dir: Path, *extra: str) -> Pty:
    ladder = Path(sys.executable).with_name("ladder")
    return Pty([str(ladder), "annotate", str(run_dir), "--annotator", "alice", *extra], run_dir.parent)


def mine(run_dir: Path) -> list[tuple[str, str]]:
    records = read_jsonl(run_dir / "iterations/000/feedback.jsonl", Feedback)
    return [(f.trajectory_id, f.text) for f in records if f.annotator == "human:alice"]


def test_step_through_write_skip_back_and_quit(run_dir):
    term = annotate(run_dir)
    term.expect(r"3 to do of 3")
    term.expect(r"\[1/3\] baba-001")
    term.expect(r"BABA IS   YOU")  # the grid, as is
    term.expect(r"step 1/2 \[")
    term.line()
    term.expect(r"---- step 2/2")
    term.line("p")
    term.expect(r"---- step 1/2")
    term.line("f")
    term.expect(r"Feedback on baba-001")
    term.line("Walked straight to the flag.")
    term.line("Two moves, optimal.")
    term.line()
    term.expect(r"saved to")
    term.expect(r"\[2/3\] baba-002 .* 1/3 annotated by you")
    term.line("s")
    term.expect(r"\[3/3\] baba-003")
    term.line("b")
    term.expect(r"\[2/3\] baba-002")
    term.line("q")
    term.expect(r"1 saved, 1 skipped, 2 still without your feedback")
    assert term.wait() == 0
    assert mine(run_dir) == [("baba-001", "Walked straight to the flag.\nTwo moves, optimal.")]
    # the others' feedback is kept, and a restart resumes with what is left
    assert len(read_jsonl(run_dir / "iterations/000/feedback.jsonl", Feedback)) == 3
    term = annotate(run_dir)
    term.expect(r"2 to do of 3")
    term.expect(r"\[1/2\] baba-002")
    term.line("q")
    assert term.wait() == 0


def test_ctrl_c_keeps_typed_text_as_a_draft(run_dir):
    term = annotate(run_dir)
    term.expect(r"step 1/2 \[")
    term.line("f")
    term.expect(r"Feedback on baba-001")
    term.line("First line is done.")
    term.send("half a thou")
    term.expect(r"> half a thou")  # readline has echoed every key
    interrupt_until(term, r"draft kept in")
    assert term.wait() == 130
    assert mine(run_dir) == []
    term = annotate(run_dir)
    term.expect(r"A draft you did not submit, on baba-001")
    term.expect(r"half a thou")
    term.line()  # yes, continue it
    term.expect(r"\(draft\) half a thou")
    term.line("ght, finished.")
    term.line()
    term.expect(r"saved to")
    term.line("q")
    assert term.wait() == 0
    assert mine(run_dir) == [("baba-001", "First line is done.\nhalf a thou\nght, finished.")]
    assert not list(run_dir.glob("iterations/000/.*draft*"))


def test_ctrl_c_reaches_the_program_even_when_the_test_run_ignores_it(run_dir):
    """How the test failed in a simulated CI run: its process had inherited an ignored SIGINT."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        term = annotate(run_dir)
    finally:
        signal.signal(signal.SIGINT, previous)
    term.expect(r"step 1/2 \[")
    term.line("f")
    term.expect(r"Feedback on baba-001")
    term.send("a half line")
    term.expect(r"> a half line")
    interrupt_until(term, r"draft kept in")
    assert term.wait() == 130


def test_model_output_cannot_drive_the_terminal():
    hostile = Trajectory(id="t", env="babaisai", task="env/x", steps=[
        Step(index=0, observation="clear\x1b[2J\x1b]0;owned\x07screen", action="up\rdown")])
    lines: list[str] = []
    answers = iter(["q"])
    source = AnnotationSource([hostile], Path("/nonexistent/feedback.jsonl"))
    result = run_terminal(source, "alice", read=lambda prompt: next(answers), write=lines.append)
    shown = "\n".join(lines)
    assert "\x1b" not in shown and "\\x1b[2J" in shown and "up\\x0ddown" in shown
    assert result.saved == 0 and result.remaining == 1


def test_a_second_ctrl_c_during_the_draft_save_waits_for_the_save(tmp_path, monkeypatch):
    """People press Ctrl-C twice. The second press lands while the draft is being written: the draft
    must still be whole on disk and the message shown before the interrupt ends the program."""
    from optimizer.annotate.store import FeedbackStore

    trajectory = Trajectory(id="t", env="babaisai", task="env/x",
                            steps=[Step(index=0, observation="o", action="up")])
    answers = iter(["f", "typed before the interrupt"])

    def read(prompt: str) -> str:
        answer = next(answers, None)
        if answer is None:
            raise KeyboardInterrupt   # the first Ctrl-C, while typing the next line
        return answer

    original = FeedbackStore.save_draft
    saves = []

    def save_then_interrupted(self, annotator, trajectory_id, text):
        saves.append(text)
        if len(saves) == 2:   # the 1st save follows the typed line, the 2nd is the interrupt's draft
            signal.raise_signal(signal.SIGINT)   # the second Ctrl-C, in the middle of that save
        return original(self, annotator, trajectory_id, text)

    monkeypatch.setattr(FeedbackStore, "save_draft", save_then_interrupted)
    lines: list[str] = []
    source = AnnotationSource([trajectory], tmp_path / "feedback.jsonl")
    with pytest.raises(KeyboardInterrupt):
        run_terminal(source, "alice", read=read, write=lines.append)
    assert len(saves) == 2 and any("draft kept in" in line for line in lines)
    assert FeedbackStore(source).load_draft("human:alice") == ("t", "typed before the interrupt")

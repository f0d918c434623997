"""Start or resume one optimization run: config -> run directory -> LM session -> loop -> report."""

from __future__ import annotations

import logging
from pathlib import Path

from autolibra.errors import InputError
from optimizer.config import RunConfig, validate_config
from optimizer.rundir import RunDir

log = logging.getLogger(__name__)


def open_session(config: RunConfig, run: RunDir, cache_dir: Path | None = None):
    from autolibra.lm import LMSession, RolesConfig

    roles = RolesConfig.model_validate(config.models)
    return LMSession(roles, cache_dir=cache_dir or run.lm_cache, log_path=run.lm_log)


def start_run(config: RunConfig, *, cache_dir: Path | None = None, run_path: Path | None = None) -> tuple[RunDir, str]:
    """Create the run directory (or use `run_path`) and run the loop to the end or a pause."""
    from optimizer.stages import resolve_tasks

    resolve_tasks(config.env, config.tasks)  # a bad task id fails before anything is created
    data = config.model_dump(mode="json")
    if run_path is not None:
        run = RunDir.initialize(run_path, config.name, data)
    else:
        run = RunDir.create(config.out_dir, config.name, data)
    return run, _execute(run, config, cache_dir)


def resume_run(path: str | Path, *, cache_dir: Path | None = None) -> tuple[RunDir, str]:
    run = RunDir.open(path)
    record = run.read_record()
    if record.status == "done":
        log.info("run %s is already done; rebuilding its report", run.path)
    config = validate_config(record.config, RunConfig, source=str(run.record_path))
    return run, _execute(run, config, cache_dir)


def _execute(run: RunDir, config: RunConfig, cache_dir: Path | None) -> str:
    from optimizer.loop import Loop
    from optimizer.report import build_report

    session = open_session(config, run, cache_dir)
    try:
        status = Loop(run, config, session).execute()
    except BaseException as error:
        # A crash or Ctrl-C leaves the run resumable; say so in run.json rather than leaving "running".
        if not isinstance(error, InputError):
            run.set_status("failed", message=f"{type(error).__name__}: {error}"[:500])
        raise
    finally:
        session.close()
    build_report(run.path)
    return status

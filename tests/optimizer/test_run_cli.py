import argparse
import importlib

import pytest
import yaml

from optimizer import cli
from optimizer.cli import main


def test_run_with_a_broken_config_exits_2_naming_the_key(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("iterations: zero\n")
    assert main(["run", str(bad)]) == 2
    assert "iterations" in capsys.readouterr().err


def test_run_with_an_unknown_task_names_the_closest(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("tasks: [env/goto_wim]\nmodels: {default: fake/x}\nout_dir: " + str(tmp_path) + "\n")
    assert main(["run", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "env/goto_wim" in err and "env/goto_win" in err


def test_resume_of_something_that_is_not_a_run(tmp_path, capsys):
    assert main(["run", "--resume", str(tmp_path)]) == 2
    assert "not a run directory" in capsys.readouterr().err


def test_run_needs_a_config_or_resume(capsys):
    assert main(["run"]) == 2


def test_an_unknown_model_role_fails_before_anything_is_created(tmp_path, capsys):
    out = tmp_path / "runs"
    assert main(["run", "configs/smoke.yaml", "-o", "models.judeg=x", "-o", f"out_dir={out}"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "judeg" in err and "Traceback" not in err
    assert not out.exists()

    config = tmp_path / "c.yaml"  # the same mistake written in the file
    config.write_text(f"models: {{default: local, judeg: x}}\nout_dir: {out}\n")
    assert main(["run", str(config)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "judeg" in err
    assert not out.exists()


def test_a_bad_selection_key_fails_at_load_time(tmp_path, capsys):
    out = tmp_path / "runs"
    config = tmp_path / "c.yaml"
    config.write_text(f"selection: {{top_k: 2, format: [csv]}}\nout_dir: {out}\n")
    assert main(["run", str(config), "-o", "models.default=fake/never-called"]) == 2
    assert "selection.format: unknown key; did you mean 'formats'?" in capsys.readouterr().err
    assert not out.exists()


def test_version(capsys):
    assert main(["--version"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("ladder ") and len(printed.split()) >= 2


def test_print_config_prints_the_resolved_config_and_creates_nothing(tmp_path, capsys):
    out = tmp_path / "runs"
    argv = ["run", "configs/smoke.yaml", "--print-config", "-o", "name=2024", "-o", "seed_prompt=yes",
            "-o", "seed_prompt=Rule: reach WIN", "-o", "seeds.train=[1,2]", "-o", f"out_dir={out}"]
    assert main(argv) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["name"] == "2024" and printed["seed_prompt"] == "Rule: reach WIN"
    assert printed["seeds"]["train"] == [1, 2] and printed["models"]["default"]["model"] == "local"
    assert not out.exists()


def test_verbose_counts_before_and_after_the_verb(monkeypatch, capsys):
    levels = []
    monkeypatch.setattr(cli, "_configure_logging", levels.append)
    assert main(["-v", "run", "configs/smoke.yaml", "--print-config", "-vv"]) == 0
    assert main(["run", "configs/smoke.yaml", "-v", "--print-config"]) == 0
    assert levels == [3, 1]


@pytest.mark.parametrize("verb, old", [("run", "--run-dir"), ("compare", "--dir")])
def test_the_old_output_folder_names_still_work_with_a_notice(verb, old, capsys):
    module = importlib.import_module(f"optimizer.commands.{verb}")
    parser = argparse.ArgumentParser(prog=f"ladder {verb}")
    module.add_arguments(parser)
    assert parser.parse_args(["c.yaml", old, "somewhere"]).out == "somewhere"
    assert f"ladder {verb}: {old} is deprecated" in capsys.readouterr().err
    assert parser.parse_args(["c.yaml", "--out", "here"]).out == "here"
    assert capsys.readouterr().err == ""

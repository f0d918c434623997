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

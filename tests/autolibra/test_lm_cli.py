from optimizer.cli import main


def test_models_list_and_unknown_pull(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LADDER_MODEL_DIR", str(tmp_path))
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path) in out and "local-tiny" in out and "not pulled" in out and "Apache-2.0" in out
    assert main(["models", "pull", "nope"]) == 2
    assert "unknown local model 'nope'" in capsys.readouterr().err
    assert main(["models", "list", "local"]) == 2

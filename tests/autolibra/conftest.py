import pytest

from autolibra.jsonl import read_jsonl
from autolibra.schema import Instance


@pytest.fixture
def baba_instances(fixtures_dir):
    return read_jsonl(fixtures_dir / "autolibra" / "baba_instances.jsonl", Instance)

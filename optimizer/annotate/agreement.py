"""Agreement between annotators who wrote feedback on the same trajectory.

Two simple, explainable figures (docs/annotation.md says what they do and do not measure):

* **verdict agreement**: each feedback gets a coarse verdict, `positive`, `negative`, `mixed` or
  `neutral`, from counting praise and criticism words (a word after a negation such as "not" or "never"
  counts for the other side). Two annotators agree when their verdicts are equal. This is a crude lexicon
  rule, not a sentiment model: it tells whether two people broadly judged the episode the same way.
* **aspect overlap**: when grounding has run (aspects.jsonl), the Jaccard overlap of the
  (step, positive/negative) pairs each annotator's aspects point at; None when either has no aspects.
"""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import combinations
from typing import Literal

from pydantic import BaseModel

from autolibra.schema import Aspect, Feedback

Verdict = Literal["positive", "negative", "mixed", "neutral"]

_PRAISE = {
    "good", "great", "well", "nice", "efficient", "efficiently", "correct", "correctly", "clever", "smart",
    "success", "successful", "successfully", "succeeded", "solved", "won", "reached",
    "optimal", "quick", "quickly", "direct", "directly", "sensible", "excellent", "perfect",
}  # not "win" or "right": in Baba Is AI they are a rule word and a direction, not praise
_CRITICISM = {
    "bad", "poor", "poorly", "wrong", "wrongly", "fail", "failed", "fails", "failure", "stuck", "loop",
    "loops", "looping", "repeated", "repeats", "repeating", "wasted", "wastes", "waste", "inefficient",
    "lost", "lose", "mistake", "mistakes", "confused", "ignored", "ignores", "invalid", "timeout",
    "aimless", "aimlessly", "useless", "pointless", "broke", "unnecessary", "back-and-forth", "oscillated",
}
_NEGATIONS = {"not", "never", "no", "didn't", "didnt", "don't", "doesn't", "wasn't", "isn't", "without",
              "hardly", "cannot", "can't", "couldn't", "nor", "failed", "fails", "unable"}
_WORD = re.compile(r"[a-z][a-z'-]*")


def verdict(text: str) -> Verdict:
    """Count praise and criticism words (flipped after a negation within two words) and compare."""
    words = _WORD.findall(text.lower())
    praise = criticism = 0
    for i, word in enumerate(words):
        if word not in _PRAISE and word not in _CRITICISM:
            continue
        negated = any(w in _NEGATIONS for w in words[max(0, i - 2):i])
        positive = (word in _PRAISE) != negated
        praise += positive
        criticism += not positive
    if praise == criticism:
        return "neutral" if praise == 0 else "mixed"
    # one stray word of the other kind does not make a clear judgment "mixed"; a real split does
    if min(praise, criticism) * 2 >= max(praise, criticism):
        return "mixed"
    return "positive" if praise > criticism else "negative"


class PairAgreement(BaseModel):
    trajectory_id: str
    annotators: tuple[str, str]
    texts: tuple[str, str]
    verdicts: tuple[Verdict, Verdict]
    verdicts_agree: bool
    aspect_overlap: float | None = None  # Jaccard of (step, sign) pairs; None without aspects for both


class AgreementSummary(BaseModel):
    pairs: list[PairAgreement]
    trajectories: int  # trajectories with feedback from at least two annotators
    verdict_agreement: float | None  # share of pairs whose verdicts agree; None when there is no pair


def _aspect_keys(aspects: list[Aspect]) -> set[tuple[int | None, bool]]:
    keys: set[tuple[int | None, bool]] = set()
    for aspect in aspects:
        for step in aspect.steps or [None]:  # an aspect with no step still counts by its sign
            keys.add((step, aspect.is_positive))
    return keys


def aspect_overlap(first: list[Aspect], second: list[Aspect]) -> float | None:
    a, b = _aspect_keys(first), _aspect_keys(second)
    if not a or not b:
        return None
    return len(a & b) / len(a | b)


def agreement(feedback: list[Feedback], aspects: list[Aspect] | None = None,
              trajectory_id: str | None = None) -> AgreementSummary:
    """Compare every pair of distinct annotators on every trajectory (or on one, if given)."""
    by_trajectory: dict[str, dict[str, Feedback]] = defaultdict(dict)
    for record in feedback:
        if trajectory_id is None or record.trajectory_id == trajectory_id:
            by_trajectory[record.trajectory_id][record.annotator] = record  # the latest per annotator
    by_instance: dict[str, list[Aspect]] = defaultdict(list)
    for aspect in aspects or []:
        by_instance[aspect.instance_id].append(aspect)
    pairs = []
    for tid, records in sorted(by_trajectory.items()):
        for a, b in combinations(sorted(records), 2):
            va, vb = verdict(records[a].text), verdict(records[b].text)
            overlap = aspect_overlap(by_instance.get(f"{tid}#{a}", []), by_instance.get(f"{tid}#{b}", []))
            pairs.append(PairAgreement(trajectory_id=tid, annotators=(a, b),
                                       texts=(records[a].text, records[b].text), verdicts=(va, vb),
                                       verdicts_agree=va == vb, aspect_overlap=overlap))
    shared = sum(1 for records in by_trajectory.values() if len(records) >= 2)
    rate = sum(p.verdicts_agree for p in pairs) / len(pairs) if pairs else None
    return AgreementSummary(pairs=pairs, trajectories=shared, verdict_agreement=rate)

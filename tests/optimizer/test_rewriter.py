from autolibra.lm.fake import fake_lm
from optimizer.objectives.rewriter import check_rewrite, rewrite_prompt


def test_check_rewrite_rejects_empty_oversized_and_format_breaking():
    assert check_rewrite("Go to the win object.", "constrained", 100) == []
    assert check_rewrite("  ", "constrained", 100)
    assert any("limit" in p for p in check_rewrite("x" * 101, "constrained", 100))
    assert any("format" in p for p in check_rewrite("End with ACTION: up", "naive", 1000))
    assert any("format" in p for p in check_rewrite("Wrap it in <|ACTION|>up<|END|>", "cot", 1000))
    assert check_rewrite("Think, then answer.", "robust_cot", 1000) == []


def test_rewrite_retries_with_the_rejection_reason_then_accepts():
    lm = fake_lm([{"new_instructions": "Always answer with ACTION: up"},
                  {"new_instructions": "Find the WIN rule, then walk to that object."}])
    result = rewrite_prompt("Move toward the WIN object.", "- Goal focus: ...", "1/4 won", lm,
                            objective="metrics", agent_format="naive", retries=2)
    assert result.accepted and result.attempts == 2
    assert result.instructions == "Find the WIN rule, then walk to that object."
    second = lm.fake.calls[1].text
    assert "rejected" in second and "output format" in second
    first = lm.fake.calls[0].text
    assert "Move toward the WIN object." in first and "Goal focus" in first and "1/4 won" in first


def test_rewrite_keeps_current_prompt_when_every_attempt_fails():
    lm = fake_lm([{"new_instructions": "x" * 50}] * 3)
    result = rewrite_prompt("keep me", "none", "ev", lm, objective="success", agent_format="naive",
                            max_chars=10, retries=2)
    assert not result.accepted and result.instructions == "keep me"
    assert len(result.rejections) == 3


def test_success_objective_never_mentions_metrics_in_its_instructions():
    lm = fake_lm([{"new_instructions": "Win faster."}])
    rewrite_prompt("p", "none: only episode success is measured", "2/4 won", lm, objective="success",
                   agent_format="naive")
    text = lm.fake.calls[0].text
    assert "succeed more often" in text
    assert "higher on these metrics" not in text


def test_a_near_copy_of_the_current_prompt_is_rejected_and_retried():
    lm = fake_lm([{"new_instructions": "Move towards the WIN object."},
                  {"new_instructions": "Find the rule 'X is win', then step toward X along its offset."}])
    result = rewrite_prompt("Move toward the WIN object.", "- Goal focus: ...", "0/4 won", lm,
                            objective="metrics", agent_format="constrained")
    assert result.accepted and result.attempts == 2 and "copy" in result.rejections[0]
    assert "copy of the current instructions" in lm.fake.calls[1].text

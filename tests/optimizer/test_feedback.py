"""Feedback helpers: sampling and cleaning an annotator's reply."""

from optimizer.feedback import drop_repeated_sentences


def test_a_sentence_repeated_in_a_loop_is_kept_once():
    loop = "It moved right at step 1. The door was to the left. " + "The door was to the left. " * 40
    assert drop_repeated_sentences(loop.strip()) == "It moved right at step 1. The door was to the left."
    assert drop_repeated_sentences("Good start! It won at step 2.") == "Good start! It won at step 2."


def _trajectory(i: int, success: bool):
    from autolibra.schema import Trajectory
    return Trajectory(id=f"t{i:02d}", env="babaisai", task="env/goto_win", seed=i, success=success)


def test_the_feedback_sample_is_seeded_and_keeps_both_outcomes():
    from optimizer.feedback import sample_for_feedback

    pool = [_trajectory(i, success=i % 4 == 0) for i in range(20)]  # 5 wins, 15 losses
    first = sample_for_feedback(pool, 6, seed=3)
    assert [t.id for t in first] == [t.id for t in sample_for_feedback(pool, 6, seed=3)]
    assert len(first) == 6 and len({t.id for t in first}) == 6
    wins = sum(t.success for t in first)
    assert 1 <= wins < 6  # the wins' share of the pool, at least one, never all
    assert [t.id for t in sample_for_feedback(pool, 6, seed=4)] != [t.id for t in first]


def test_a_small_pool_is_annotated_whole_and_in_id_order():
    from optimizer.feedback import sample_for_feedback

    pool = [_trajectory(i, success=False) for i in (3, 1, 2)]
    assert [t.id for t in sample_for_feedback(pool, 5, seed=0)] == ["t01", "t02", "t03"]

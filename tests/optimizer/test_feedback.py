"""Feedback helpers: sampling and cleaning an annotator's reply."""

from optimizer.feedback import drop_repeated_sentences


def test_a_sentence_repeated_in_a_loop_is_kept_once():
    loop = "It moved right at step 1. The door was to the left. " + "The door was to the left. " * 40
    assert drop_repeated_sentences(loop.strip()) == "It moved right at step 1. The door was to the left."
    assert drop_repeated_sentences("Good start! It won at step 2.") == "Good start! It won at step 2."

"""Engine semantics (spec A.2-A.5) on small hand-drawn grids."""

from __future__ import annotations

from envs.babaisai.engine import Engine
from envs.babaisai.rules import rule_lines
from envs.babaisai.text import grid_rows
from tests.envs.baba_grids import engine_from

UP, RIGHT, DOWN, LEFT = 1, 2, 3, 4


def rows(engine: Engine) -> list[str]:
    return [" ".join(r.split()) for r in grid_rows(engine)]


def test_push_chain_moves_together_and_stops_at_the_border():
    e = engine_from("""
        #  #  #  #  #  #  #
        #  wbaba  BALL  IS  .  .  #
        #  BABA  IS  YOU  .  .  #
        #  #  #  #  #  #  #""")
    e.step(RIGHT)
    assert rows(e)[1] == "# . wbaba BALL IS . #"
    e.step(RIGHT)
    e.step(RIGHT)   # BALL IS against the border: the whole chain and the baba are blocked
    assert rows(e)[1] == "# . . wbaba BALL IS #"


def test_rules_parse_horizontally_and_vertically_and_keep_duplicates():
    e = engine_from("""
        #  #  #  #  #
        #  BABA  IS  YOU  #
        #  IS  .  .  #
        #  WIN  .  .  #
        #  #  #  #  #""")
    assert rule_lines(e.rules) == ["baba is you", "baba is win"]
    e2 = engine_from("""
        #  #  #  #  #  #  #  #
        #  BABA  IS  YOU  BABA  IS  YOU  #
        #  wbaba  .  .  .  .  .  #
        #  #  #  #  #  #  #  #""")
    assert rule_lines(e2.rules) == ["baba is you", "baba is you"]


def test_colour_rule_applies_only_to_that_colour():
    e = engine_from("""
        #  #  #  #  #  #
        #  RED  BALL  IS  YOU  #
        #  rball  .  bball  .  #
        #  #  #  #  #  #""")
    e.step(RIGHT)
    assert rows(e)[2] == "# . rball bball . #"


def test_win_uses_rules_before_the_move():
    # Pushing DOOR into place completes DOOR IS WIN; walking onto a door only wins on a later move.
    e = engine_from("""
        #  #  #  #  #  #  #
        #  .  IS  WIN  .  .  #
        #  DOOR  .  .  .  .  #
        #  wbaba  .  rdoor  .  .  #
        #  BABA  IS  YOU  .  .  #
        #  #  #  #  #  #  #""")
    assert e.step(UP).won is False          # pushes DOOR up into (1,1): rule formed after the move
    assert "door is win" in rule_lines(e.rules)
    e.step(DOWN)
    e.step(RIGHT)
    out = e.step(RIGHT)                      # onto the door: now it is WIN
    assert out.won and out.done and abs(out.reward - (1 - 0.9 * 4 / 100)) < 1e-9


def test_stop_blocks_and_lose_ends_the_episode():
    e = engine_from("""
        #  #  #  #  #  #  #  #
        #  WALL  IS  STOP  .  .  .  #
        #  wbaba  gwall  .  .  .  .  #
        #  BALL  IS  LOSE  .  .  rball  #
        #  BABA  IS  YOU  .  .  .  #
        #  #  #  #  #  #  #  #""")
    e.step(RIGHT)
    assert rows(e)[2] == "# wbaba gwall . . . . #"    # the wall is STOP
    e.step(UP)                                          # pushes WALL up: against the border, blocked
    assert "wall is stop" in rule_lines(e.rules)


def test_lose_and_stacked_objects_reappear():
    e = engine_from("""
        #  #  #  #  #  #
        #  BALL  IS  LOSE  #
        #  wbaba  rkey  rball  #
        #  BABA  IS  YOU  #
        #  #  #  #  #  #""".replace("#  #  #  #  #  #", "#  #  #  #  #"))
    e.step(RIGHT)
    assert rows(e)[2] == "# . wbaba rball #"       # standing on the key hides it
    out = e.step(RIGHT)
    assert out.lost and out.done and out.reward == -1.0
    assert rows(e)[2] == "# . rkey wbaba #"        # the key re-surfaces when the baba leaves


def test_transformation_stacks_a_new_object_after_each_move():
    e = engine_from("""
        #  #  #  #  #
        #  KEY  IS  BALL  #
        #  wbaba  .  bkey  #
        #  BABA  IS  YOU  #
        #  #  #  #  #""")
    assert rows(e)[2] == "# wbaba . bkey #"         # not applied at reset
    e.step(LEFT)
    assert rows(e)[2] == "# wbaba . gball #"        # default colour for a new ball: green


def test_idle_changes_nothing_and_the_step_limit_ends_the_episode():
    e = engine_from("""
        #  #  #  #  #
        #  BABA  IS  YOU  #
        #  wbaba  .  .  #
        #  #  #  #  #""", max_steps=2)
    before = e.key()
    assert e.step(0).done is False and e.key() == before
    out = e.step(RIGHT)
    assert out.done and not out.won and out.reward == 0.0


def test_you_that_is_also_win_wins_by_bumping_but_not_by_walking():
    e = engine_from("""
        #  #  #  #  #
        #  BABA  IS  YOU  #
        #  BABA  IS  WIN  #
        #  wbaba  .  .  #
        #  #  #  #  #""")
    assert rule_lines(e.rules) == ["baba is you", "baba is win"]
    assert e.step(RIGHT).won is False                # into an empty cell
    assert e.step(DOWN).won is True                  # bumping the border: the top at "destination" is itself


def test_snapshot_restore_and_clone_are_independent():
    e = engine_from("""
        #  #  #  #  #
        #  BABA  IS  YOU  #
        #  wbaba  .  .  #
        #  #  #  #  #""")
    snap = e.snapshot()
    twin = e.clone()
    e.step(RIGHT)
    assert twin.key() != e.key()
    e.restore(snap)
    assert e.key() == twin.key() and e.step_count == 0

from autolibra.render import estimate_tokens, render_trajectory, steps_mentioned
from autolibra.schema import Step, Trajectory


def _long(n=60):
    steps = [Step(index=i, observation=f"rule `is` {i} steps up and the door is {i % 7} steps left " * 3,
                  action="left" if i % 2 else "up") for i in range(n)]
    return Trajectory(id="t", env="babaisai", task="env/goto_win", steps=steps, final_observation="end")


def test_short_trajectory_is_complete():
    traj = _long(3)
    text = render_trajectory(traj, token_budget=2000).text
    assert [line.split("]")[0] for line in text.splitlines() if line.startswith("[")] == ["[0", "[1", "[2"]
    assert "omitted" not in text


def test_long_trajectory_keeps_start_focus_end_and_says_what_was_cut():
    rendered = render_trajectory(_long(), token_budget=400, focus_steps=[30])
    text = rendered.text
    assert estimate_tokens(text) == rendered.tokens <= 400
    assert rendered.steps_omitted == 60 - len(rendered.steps_shown) > 0
    for index in (0, 29, 30, 31, 59):
        assert f"[{index}] action:" in text
    assert "steps omitted" in text
    kept = {int(line[1:].split("]")[0]) for line in text.splitlines() if line.startswith("[")}
    assert len(kept) < 60


def test_tiny_budget_still_keeps_required_steps():
    text = str(render_trajectory(_long(), token_budget=120, focus_steps=[10]))
    assert "[10] action:" in text and "[59] action:" in text


def test_invalid_output_and_unchanged_observation_are_marked():
    steps = [Step(index=0, observation="same", action="idle", raw_output="move up", valid=False),
             Step(index=1, observation="same", action="up")]
    text = render_trajectory(Trajectory(id="t", env="e", task="x", steps=steps)).text
    assert "invalid output 'move up'" in text
    assert "[1] action: up; saw: (unchanged)" in text


def test_steps_mentioned():
    assert steps_mentioned("at step 3 and steps 5-7, also step 99", 10) == [3, 5, 6, 7]

"""Ground truth for a played trajectory: replay the actions and ask the solver, at every step, how far the
win was before and after the move (envs.capabilities: Baba Is AI's `reference_analysis`).

    steps = analyze_actions("env/goto_win", 0, ["up", "left", "left"])
    print(describe_analysis(steps))
"""

from __future__ import annotations

from dataclasses import dataclass, field

from envs._face import to_env_action
from envs.babaisai import rules as R
from envs.babaisai import vocab as v
from envs.babaisai.env import BabaIsAIEnv
from envs.babaisai.solver.bound import Bounds
from envs.babaisai.solver.search import solve_engine


@dataclass
class StepAnalysis:
    step: int                        # 1-based
    action: str                      # the action played (an invalid one is played as "idle", as BALROG does)
    valid: bool
    optimal_before: int | None       # fewest moves to win before this action (None: no win left)
    optimal_after: int | None        # ... after it (0 once won)
    optimal_plan: list[str] = field(default_factory=list)   # a shortest plan from the state before
    wasted: bool = False             # the move did not bring the win closer
    irreversible: bool = False       # first move after which the level could no longer be won
    won: bool = False
    lost: bool = False
    level_reset: bool = False        # no YOU was left, so a fresh level replaced this one (BALROG)
    rules_before: list[str] = field(default_factory=list)
    rules_after: list[str] = field(default_factory=list)
    exact: bool = True               # both distances proven by the exact pass (else: best plans found)


class _Distances:
    """Solver calls memoised per state; states along a found plan get their distance for free, and each
    solve hands the next one its proven bound and the paths it explored (solve_engine's hint): one move
    later, most of those states are still near. The solves share their bound caches (bound.Bounds)."""

    def __init__(self):
        self.known: dict[tuple, tuple[int | None, list[int], bool]] = {}
        self.hint = None     # the last solve's (proven lower bound, paths)
        self.bounds = Bounds()   # bounds already computed for this level's states

    def __call__(self, engine, budget: int) -> tuple[int | None, list[int], bool]:
        key = (engine.key(), budget)
        if key not in self.known:
            result = solve_engine(engine, max_depth=budget, exact_budget=EXACT_BUDGET_PER_STEP,
                                  hint=self.hint, keep_paths=True, bounds=self.bounds)
            self.hint = (result.lower_bound, result.paths)
            plan = result.plan or []
            self.known[key] = (None if result.plan is None else len(plan), plan, result.optimal)
            if result.plan and result.optimal:
                self._remember_plan(engine, plan, budget)
        return self.known[key]

    def _remember_plan(self, engine, plan: list[int], budget: int) -> None:
        # Every suffix of a shortest plan is a shortest plan from where it starts.
        work = engine.clone()
        work.max_steps = 1 << 30
        for i, action in enumerate(plan[:-1]):
            work.step(action)
            self.known.setdefault((work.key(), budget - i - 1), (len(plan) - i - 1, plan[i + 1:], True))


SOLVE_HORIZON = 100  # the game's own step limit
# The solver runs at every step of a trajectory: a step whose proof needs more states than this keeps the
# best plan found and is marked exact=False (a few two-room "make win" levels). 10,000 would make those
# analyses about 3x faster but prove far fewer of their moves (benchmarks/bench_baba_analysis.py).
EXACT_BUDGET_PER_STEP = 30_000
WASTED_MOVES_SHOWN = 4  # describe_analysis lists this many wasted moves one by one


def analyze_actions(task: str, seed: int, actions: list[str], max_steps: int = 100) -> list[StepAnalysis]:
    """Replay `actions` from reset(seed) and compare every move with the optimum (see StepAnalysis)."""
    env = BabaIsAIEnv(task, max_steps=max_steps)
    env.reset(seed=seed)
    distance = _Distances()
    out: list[StepAnalysis] = []
    mistake_seen = False
    for index, raw in enumerate(actions[:max_steps]):
        engine = env.engine
        # Distances are about the level, not the episode's step cap: a short cap must not make every late
        # move look "irreversible". The horizon is the game's own limit.
        budget = SOLVE_HORIZON
        before, plan, exact_before = distance(engine, budget)
        rules_before = R.rule_lines(engine.rules)
        action, valid = to_env_action(env, raw)
        _, reward, terminated, truncated, info = env.step(action)
        reset = bool(info.get("level_reset"))
        won, lost = terminated and reward > 0, terminated and reward < 0
        exact_after = True
        if won:
            after = 0
        elif lost:
            after = None
        else:
            after, _, exact_after = distance(env.engine, budget)
        step = StepAnalysis(step=index + 1, action=action, valid=valid, optimal_before=before,
                            optimal_after=after, optimal_plan=[v.ACTIONS[a] for a in plan], won=won,
                            lost=lost, level_reset=reset, rules_before=rules_before,
                            rules_after=R.rule_lines(env.engine.rules), exact=exact_before and exact_after)
        step.wasted = not won and (reset or before is None or after is None or after >= before)
        if (not mistake_seen and before is not None and after is None and not won and not reset
                and step.exact):
            step.irreversible = mistake_seen = True
        out.append(step)
        if terminated or truncated:
            break
    return out


def describe_analysis(steps: list[StepAnalysis]) -> str:
    """A plain-English summary of analyze_actions() for an annotator model or a person."""
    if not steps:
        return "The agent made no moves."
    first = steps[0]
    lines = []
    if first.optimal_before is None:
        lines.append("From the start the level could not be won within the step limit.")
    else:
        plan = ", ".join(first.optimal_plan)
        lines.append(f"Optimal plan from the start: {plan} ({first.optimal_before} steps).")
    wasted = sum(s.wasted for s in steps)
    outcome = ("it won" if steps[-1].won else "it lost (touched a LOSE object)" if steps[-1].lost
               else "it did not win before the episode's step limit")
    lines.append(f"The agent made {len(steps)} moves and {outcome}; {wasted} of its moves were wasted "
                 f"(they did not bring the win closer).")
    invalid = sum(not s.valid for s in steps)
    if invalid:
        lines.append(f"{invalid} of its outputs were not valid actions and were played as `idle`.")
    for s in steps:
        if s.level_reset:
            lines.append(f"At step {s.step} ({s.action}) it broke the last `... is you` rule, so the level "
                         f"was replaced by a new one.")
            break
    # The first few wasted moves with the move a shortest plan would have made: the concrete evidence a
    # reviewer needs to say *which way* the agent should have gone, not just that it went wrong.
    wrong = [s for s in steps if s.wasted and s.optimal_plan and not s.level_reset]
    for s in wrong[:WASTED_MOVES_SHOWN]:
        after = "no win left" if s.optimal_after is None else f"{s.optimal_after} away"
        lines.append(f"Step {s.step}: the agent moved {s.action}, but the correct move was {s.optimal_plan[0]} "
                     f"(win {s.optimal_before} away before the move, {after} after).")
    if len(wrong) > WASTED_MOVES_SHOWN:
        lines.append(f"... and {len(wrong) - WASTED_MOVES_SHOWN} more wasted moves.")
    mistake = next((s for s in steps if s.irreversible), None)
    if mistake is not None:
        change = _rule_change(mistake)
        lines.append(f"First irreversible mistake at step {mistake.step}: `{mistake.action}`{change}; "
                     f"before it the win was {mistake.optimal_before} moves away, after it the level "
                     f"could no longer be won.")
    elif not steps[-1].won and steps[-1].optimal_after is not None:
        lines.append(f"It never made the level unwinnable: at the end the win was "
                     f"{steps[-1].optimal_after} moves away.")
    if not all(s.exact for s in steps):
        lines.append("(This level is large: some distances are the best plans found, not proven shortest.)")
    return "\n".join(lines)


def _rule_change(step: StepAnalysis) -> str:
    broken = [r for r in step.rules_before if r not in step.rules_after]
    formed = [r for r in step.rules_after if r not in step.rules_before]
    parts = [f"broke `{r}`" for r in broken] + [f"formed `{r}`" for r in formed]
    return f" ({'; '.join(parts)})" if parts else " (no rule changed: a pushed block can no longer be used)"

"""The Baba Is AI solver: shortest winning plans by A* over the game's own engine (docs/babaisai.md).

    plan = solve(env)   # -> Plan(actions, proven_shortest, lower_bound)

Built on it: `analysis.analyze_actions` / `describe_analysis` (every move of a trajectory against the
optimum) and `oracle.Oracle` (a perfect player).
"""

from envs.babaisai.solver.plan import Plan, solve

__all__ = ["Plan", "solve"]

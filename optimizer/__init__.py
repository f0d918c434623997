"""The optimizer: AutoLibra-driven prompt optimization of a game agent.

One iteration flows through the stage modules in this order (optimizer/loop.py orders them):

    rollout   the agent plays the training seeds               -> rollouts.jsonl
    feedback  open-ended feedback on a sample                  -> feedback_request.json, feedback.jsonl
    induce    AutoLibra turns feedback into metrics            -> aspects.jsonl, metrics.json, induction.json
    judge     every trajectory judged on the metrics           -> traits.jsonl, scores.json
    rewrite   the objective proposes the next prompt           -> candidate/prompt.md, candidate/rewrite.json
    validate  incumbent vs candidate on the validation seeds   -> decision.json
    select    high-scoring trajectories as fine-tuning data    -> finetune/

Around them: `agent` and `prompting` (the player), `objectives/` (metrics, success, gepa), `records`
(every JSON record, typed), `rundir` and `context` (what a stage is handed), `reporting/` (all reports),
`compare` (arms on one budget), `selection/`, `annotate/`, and the `ladder` CLI (`cli`, `commands/`).
This package stays import-light: `import optimizer` loads nothing else.
"""

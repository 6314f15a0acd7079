"""The rule contract: what a rule is (`rule`), the visitor base every batched visitor
shares (`batched_visitor`), and what a run produces (`finding`). Rules import this,
evidence and fixes, nothing else."""

"""`python -m sqla_checks` and the `sqla-checks` script: start the CLI.

The garbage collector is off while the CLI's modules load: loading them (libcst's
node classes, the rules) creates objects that all live until the process ends, so
the collections it would trigger scan them and free nothing, about 5% of a run on one
file. They are then frozen (`gc.freeze`), so later collections skip them as well.

Checking then allocates syntax trees by the million, nearly all of them freed by
reference counting alone; with the default threshold (a collection every 700 net
allocations) the collector took a tenth of the time on Airflow's 726 modules and
found little. A collection every 10,000 allocations brings that to a few percent.
"""

import gc
import sys

# Young-generation threshold while checking (Python's default is 700); the older
# generations keep their default ratios (10, 10).
YOUNG_COLLECTION_THRESHOLD = 10_000


def main() -> int:
    """Load the CLI with the collector off, then run it on sys.argv."""
    gc.disable()
    try:
        from sqla_checks.cli import main as run_cli
    finally:
        gc.freeze()
        gc.enable()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, older, oldest)
    return run_cli()


if __name__ == "__main__":
    sys.exit(main())

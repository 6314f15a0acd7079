"""`python -m sqla_checks` and the `sqla-checks` script: start the CLI.

The garbage collector is off while the CLI's modules load: loading them (libcst's
node classes, the rules) creates objects that all live until the process ends, so
the collections it would trigger scan them and free nothing, about 5% of a run on one
file. They are then frozen (`gc.freeze`), so later collections skip them as well.
"""

import gc
import sys


def main() -> int:
    """Load the CLI with the collector off, then run it on sys.argv."""
    gc.disable()
    try:
        from sqla_checks.cli import main as run_cli
    finally:
        gc.freeze()
        gc.enable()
    return run_cli()


if __name__ == "__main__":
    sys.exit(main())

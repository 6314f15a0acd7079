"""`python -m checks` runs the CLI."""

import sys

from sqla_checks.cli import main

sys.exit(main())

"""`python -m checks` runs the CLI."""

import sys

from checks.cli import main

sys.exit(main())

"""`python -m kg` runs the `needling` command."""

import sys

from kg.cli import main

sys.exit(main())

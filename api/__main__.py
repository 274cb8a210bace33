"""`python -m api` runs the `needling` command, `serve` included."""

import sys

from api.cli import main

sys.exit(main())

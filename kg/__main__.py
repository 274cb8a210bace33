"""`python -m kg` runs the core's commands; `serve` belongs to the web service (`python -m api serve`)."""

import sys

from kg.cli import main

if sys.argv[1:2] == ["serve"]:
    print(
        "needling: serve is the web service: run `needling serve` or `python -m api serve`", file=sys.stderr
    )
    sys.exit(2)
sys.exit(main())

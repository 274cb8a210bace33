"""`python -m bench [peers|scale|generate] [options]`: the side-by-side run by default."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv and not argv[0].startswith("-") else ("peers", argv)
    if command == "peers":
        from bench.peers import main as run
    elif command == "scale":
        from bench.scale import main as run
    elif command == "generate":
        from bench.generate import main as run
    else:
        print(
            f"usage: python -m bench [peers|scale|generate] [options]; unknown {command!r}", file=sys.stderr
        )
        return 2
    return run(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

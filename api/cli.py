"""The `needling` command as installed: the core's commands (kg.cli), `serve` (the web service) and `mcp`
(the MCP server on stdio)."""

from __future__ import annotations

import argparse
import dataclasses
import functools
from collections.abc import Sequence
from pathlib import Path

from kg.cli.main import COMMANDS, Command, graph_options
from kg.cli.main import main as core_main
from kg.settings import Settings


def process_count(text: str) -> int | str:
    """--workers: a whole number of at least 1, or `auto` (one per core)."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of processes or 'auto', got {text!r}") from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"at least 1 process serves, got {count}")
    return count


def _serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="the address to listen on (NEEDLING_HOST)")
    parser.add_argument("--port", type=int, help="the port to listen on (NEEDLING_PORT)")
    parser.add_argument(
        "--workers",
        type=process_count,
        metavar="N|auto",
        help="processes that answer requests, sharing one loaded graph; auto: one per core (NEEDLING_PROCESSES)",
    )
    parser.add_argument(
        "--store-dir",
        type=Path,
        help="where the embedded store is kept on disk (NEEDLING_STORE_DIR; default $XDG_CACHE_HOME/needling-kg)",
    )
    parser.add_argument(
        "--fd", type=int, help="serve on this inherited listening socket (socket activation, tests)"
    )
    graph_options(parser)


def _serve(args: argparse.Namespace, settings: Settings, *, restart: bool = False) -> int:
    """`restart`: started from the command line, so it may start itself again with the allocator tuned."""
    if restart:
        from api.allocator import restart_tuned

        restart_tuned(settings.malloc_tcache)
    from api.serve import serve

    chosen = {"processes": args.workers, "store_dir": args.store_dir}
    settings = settings.model_copy(update={k: v for k, v in chosen.items() if v is not None})
    return serve(settings, fd=args.fd)


SERVE = Command("serve", "run the HTTP service", _serve_options, _serve)
SERVE_COMMAND_LINE = dataclasses.replace(SERVE, run=functools.partial(_serve, restart=True))


def _mcp(args: argparse.Namespace, settings: Settings) -> int:
    from api.mcp.stdio import serve_stdio

    return serve_stdio(settings)


MCP = Command("mcp", "run the MCP server on standard input and output (for agents)", graph_options, _mcp)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (`argv` None: the process's own, which `serve` may start again); or the given one."""
    return core_main(argv, commands=(SERVE if argv is not None else SERVE_COMMAND_LINE, MCP, *COMMANDS))

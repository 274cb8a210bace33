"""Ad-hoc SPARQL: the guard that checks a query's text, killable workers that run it, result formats."""

from kg.adhoc.guard import GuardedQuery, check_query
from kg.adhoc.pool import SandboxPool, SandboxResult
from kg.adhoc.refusal import QueryRefused
from kg.adhoc.run import run_adhoc
from kg.adhoc.runner import AdhocRunner, EndpointRunner, open_runner
from kg.adhoc.sandbox_errors import PoolClosed, QueryFailed, QueryTimeout, SandboxError

__all__ = [
    "AdhocRunner",
    "EndpointRunner",
    "GuardedQuery",
    "PoolClosed",
    "QueryFailed",
    "QueryRefused",
    "QueryTimeout",
    "SandboxError",
    "SandboxPool",
    "SandboxResult",
    "check_query",
    "open_runner",
    "run_adhoc",
]

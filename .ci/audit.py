"""Audit the installed dependency set with pip-audit when a vulnerability database answers; else say so.

The set audited is what `make install-test` installed, pinned to the exact versions (`pip freeze`, the
project itself left out), so the audit needs no resolver and no network but the database's. A database
that cannot be reached is not a pass: the script prints, on a line of its own, that the dependencies were
NOT audited and why, and exits 0 so that a closed network alone does not fail CI. Vulnerabilities found,
or pip-audit failing once a database has answered, exit non-zero.

Reaching the database is checked the way pip-audit asks it (PyPI: one release's JSON, which carries its
vulnerabilities), and pip-audit's own report is read too: behind a package mirror that serves only the
latest release's JSON, pip-audit skips every package as "not found" and still prints "No known
vulnerabilities found". Packages it skipped are listed as not audited; all of them skipped is NOT AUDITED.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

TIMEOUT_S = 15
# (pip-audit's name for the service, a request that only a working database answers with what we expect)
PROBES = (
    ("pypi", "https://pypi.org/pypi/pip/24.0/json", None, "vulnerabilities"),
    (
        "osv",
        "https://api.osv.dev/v1/query",
        json.dumps({"package": {"name": "pip", "ecosystem": "PyPI"}, "version": "1.0"}).encode(),
        "vulns",
    ),
)


def probe(url: str, body: bytes | None, key: str) -> str | None:
    """None when the database answers as one; otherwise why not, in a few words."""
    headers = {"Content-Type": "application/json"} if body else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=TIMEOUT_S) as answer:
            data = json.load(answer)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        return f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
    return None if key in data else f"answered without '{key}'"


def main() -> int:
    reasons = []
    for service, url, body, key in PROBES:
        problem = probe(url, body, key)
        if problem is None:
            return audit(service)
        reasons.append(f"{service} ({url}): {problem}")
    return not_audited("no vulnerability database could be reached", reasons)


def not_audited(why: str, details: list[str]) -> int:
    print(f"pip-audit: NOT RUN - {why}, so the dependencies were NOT audited.")
    for detail in details:
        print(f"  {detail}")
    return 0


def audit(service: str) -> int:
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pins = [line for line in frozen.splitlines() if "==" in line and not line.startswith("-e")]
    with tempfile.TemporaryDirectory() as folder:
        requirements, report = Path(folder) / "installed.txt", Path(folder) / "report.json"
        requirements.write_text("\n".join(pins) + "\n", encoding="utf-8")
        print(f"pip-audit: auditing {len(pins)} installed packages against the {service} database")
        done = subprocess.run(
            [
                *(sys.executable, "-m", "pip_audit"),
                *("--requirement", str(requirements), "--no-deps", "--disable-pip"),
                *("--vulnerability-service", service, "--progress-spinner", "off"),
                *("--format", "json", "--output", str(report)),
            ],
            check=False,
        )
        if not report.exists():
            print(f"pip-audit: failed (exit status {done.returncode}) after the {service} database answered")
            return done.returncode or 1
        dependencies = json.loads(report.read_text(encoding="utf-8"))["dependencies"]
    return summarize(dependencies)


def summarize(dependencies: list[dict[str, object]]) -> int:
    skipped = [d for d in dependencies if d.get("skip_reason")]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    if dependencies and len(skipped) == len(dependencies):
        return not_audited(
            f"the database knew none of the {len(skipped)} packages", [str(skipped[0]["skip_reason"])]
        )
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:  # type: ignore[attr-defined]
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            print(
                f"  VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})"
            )
    if skipped:
        print(
            f"pip-audit: {len(skipped)} packages NOT audited: " + ", ".join(str(d["name"]) for d in skipped)
        )
    audited = len(dependencies) - len(skipped)
    print(f"pip-audit: {audited} packages audited, {len(vulnerable)} with known vulnerabilities")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())

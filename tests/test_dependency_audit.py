"""pip-audit over everything uv.lock pins, against PyPI's vulnerability data (``-s pypi``).

A vulnerability not in ``config/vulnerability-allowlist.txt`` fails the build. pip-audit itself
says "No known vulnerabilities found" and exits 0 when it could not look a single package up
(PyPI's per-version JSON API unreachable, or answering 404 as some mirrors do), so this test
reads its JSON report and says so plainly: all unaudited is a skip that names the cause, some
unaudited is a failure."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWLIST = ROOT / "config" / "vulnerability-allowlist.txt"
#: As the Makefile finds it: on PATH, else where its installer puts it.
UV = shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
ADVISORY = re.compile(r"^(PYSEC|GHSA|CVE|OSV)-[\w-]+$")


def allowed() -> list[str]:
    ids = []
    for line in ALLOWLIST.read_text().splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            assert ADVISORY.match(entry), f"{ALLOWLIST.name}: not an advisory id: {entry!r}"
            assert "#" in line, f"{ALLOWLIST.name}: say why {entry} is accepted"
            ids.append(entry)
    return ids


def locked_requirements(directory: Path) -> Path:
    requirements = directory / "requirements.txt"
    exported = subprocess.run(
        [UV, "export", "--frozen", "--all-packages", "--no-emit-workspace", "--no-hashes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    requirements.write_text(exported.stdout)
    return requirements


def audit(requirements: Path, report: Path) -> dict[str, Any]:
    ignored = [arg for vuln in allowed() for arg in ("--ignore-vuln", vuln)]
    command = [sys.executable, "-m", "pip_audit", "-r", str(requirements), "--no-deps"]
    command += ["--disable-pip", "-s", "pypi", "--progress-spinner", "off", "--format", "json"]
    finished = subprocess.run(
        [*command, "-o", str(report), *ignored], capture_output=True, text=True, timeout=300
    )
    if not report.exists():
        pytest.fail(f"pip-audit did not report (exit {finished.returncode}): {finished.stderr}")
    result: dict[str, Any] = json.loads(report.read_text())
    return result


def check(report: dict[str, Any]) -> None:
    """Fails on a vulnerability or on packages left unaudited; skips, saying so, when no
    package at all could be audited."""
    dependencies = report["dependencies"]
    unaudited = [d["name"] for d in dependencies if "skip_reason" in d]
    vulnerable = {
        f"{d['name']} {d['version']}": [v["id"] for v in d["vulns"]]
        for d in dependencies
        if d.get("vulns")
    }
    assert dependencies, "uv export listed no dependency"
    assert not vulnerable, (
        f"known vulnerabilities (upgrade, or allow-list with a reason): {vulnerable}"
    )
    if len(unaudited) == len(dependencies):
        pytest.skip(
            f"NOT AUDITED: PyPI's vulnerability data could not be read for any of the "
            f"{len(dependencies)} locked packages (e.g. {dependencies[0]['skip_reason']}); "
            "this run says nothing about known vulnerabilities"
        )
    assert not unaudited, f"{len(unaudited)} packages could not be audited: {unaudited}"


def test_no_locked_dependency_has_a_known_vulnerability(tmp_path: Path) -> None:
    check(audit(locked_requirements(tmp_path), tmp_path / "audit.json"))


AUDITED = {"name": "ok", "version": "1.0", "vulns": []}
SKIPPED = {"name": "lost", "skip_reason": "Dependency not found on PyPI"}


def test_a_vulnerability_fails() -> None:
    vulnerable = {"name": "bad", "version": "1.0", "vulns": [{"id": "PYSEC-2099-1"}]}

    with pytest.raises(AssertionError, match="PYSEC-2099-1"):
        check({"dependencies": [AUDITED, vulnerable]})


def test_some_packages_unaudited_fails() -> None:
    with pytest.raises(AssertionError, match="lost"):
        check({"dependencies": [AUDITED, SKIPPED]})


def test_nothing_audited_is_said_plainly() -> None:
    with pytest.raises(pytest.skip.Exception, match="NOT AUDITED"):
        check({"dependencies": [SKIPPED]})


def test_everything_audited_and_clean_passes() -> None:
    check({"dependencies": [AUDITED]})


def test_the_allowlist_is_well_formed() -> None:
    assert all(ADVISORY.match(entry) for entry in allowed())

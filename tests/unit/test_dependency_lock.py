"""The lock files CI, the image and docker-compose install from agree with pyproject.toml and with each other.

`pip install --no-deps` after the lock means a dependency added to pyproject but not to the lock is simply
missing in CI and in the image: these tests say so at once, naming the refresh command (`bash .ci/lock`).
"""

from __future__ import annotations

import re
import shlex
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

REFRESH = "refresh the lock: bash .ci/lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def read_lock(name: str) -> dict[str, tuple[str, int]]:
    """Each locked package's version and how many hashes it carries."""
    locked: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / name).read_text().splitlines():
        if match := PIN.match(line):
            current = canonicalize_name(match[1])
            locked[current] = (match[2], 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = locked[current]
            locked[current] = (version, hashes + 1)
        elif not line.startswith((" ", "#")) and line.strip():
            pytest.fail(f"{name}: unexpected line {line!r} (only pins with hashes; {REFRESH})")
    return locked


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def unmet(requirements: list[str], locked: dict[str, tuple[str, int]]) -> list[str]:
    """The requirements (Python 3.11 on Linux) the lock misses or pins outside their range."""
    problems = []
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate({"python_version": "3.11",
                                                                   "sys_platform": "linux",
                                                                   "platform_machine": "x86_64"}):
            continue
        name = canonicalize_name(requirement.name)
        if name not in locked:
            problems.append(f"{text}: not in the lock")
        elif not requirement.specifier.contains(locked[name][0], prereleases=True):
            problems.append(f"{text}: locked at {locked[name][0]}")
    return problems


def test_app_lock_pins_every_dependency_within_pyprojects_ranges():
    problems = unmet(project()["dependencies"], read_lock("requirements.lock"))
    assert not problems, f"requirements.lock: {problems}; {REFRESH}"


def test_dev_lock_pins_the_app_and_the_dev_extra_within_pyprojects_ranges():
    problems = unmet(project()["dependencies"] + project()["optional-dependencies"]["dev"],
                     read_lock("requirements-dev.lock"))
    assert not problems, f"requirements-dev.lock: {problems}; {REFRESH}"


def test_both_locks_pin_what_they_share_at_one_version_and_every_pin_has_hashes():
    app, dev = read_lock("requirements.lock"), read_lock("requirements-dev.lock")
    assert app.keys() <= dev.keys(), f"only in requirements.lock: {sorted(app.keys() - dev.keys())}; {REFRESH}"
    differ = {name: (app[name][0], dev[name][0]) for name in app if app[name][0] != dev[name][0]}
    assert not differ, f"(requirements.lock, requirements-dev.lock) versions differ: {differ}; {REFRESH}"
    unhashed = sorted(name for lock in (app, dev) for name, (_, hashes) in lock.items() if not hashes)
    assert not unhashed, f"pins without hashes: {unhashed}; {REFRESH}"


def test_build_backend_is_locked_so_installs_need_no_build_isolation():
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    for name in ("requirements.lock", "requirements-dev.lock"):
        assert not unmet(requires, read_lock(name)), f"{name}: build-system.requires; {REFRESH}"


def pip_installs(text: str) -> list[list[str]]:
    """The arguments of every `pip install` in a shell script or a Dockerfile (continued lines joined)."""
    joined = re.sub(r"\\\n\s*", " ", text)
    commands = []
    for line in joined.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for part in re.split(r"&&|;|\|\|", line):
            words = shlex.split(part.replace("RUN ", "", 1), comments=True)
            for i, word in enumerate(words[:-1]):
                if word.endswith("pip") and words[i + 1] == "install":
                    commands.append(words[i + 2:])
    return commands


@pytest.mark.parametrize(("path", "lock"), [("Dockerfile", "requirements.lock"),
                                            (".ci/run", "requirements-dev.lock")])
def test_the_image_and_ci_install_only_from_the_lock(path, lock):
    installs = pip_installs((ROOT / path).read_text())
    assert installs, f"{path}: no pip install found"
    from_lock = [args for args in installs if "--require-hashes" in args and lock in args]
    assert from_lock, f"{path} does not install from {lock} with --require-hashes"
    for args in installs:
        assert args in from_lock or "--no-deps" in args, (
            f"{path}: `pip install {' '.join(args)}` resolves versions outside {lock}")

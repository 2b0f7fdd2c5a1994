"""Real components from Debian's packages (dovecot, prometheus, chromium, ...). `.ci/run`
installs them; locally a missing one skips the test, but under CI it fails, so a broken install
step can never turn into a silently skipped test."""

import os
import shutil

import pytest


def require_binary(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is not None:
        return path
    message = f"{name} not installed (apt-get install -y {package})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)

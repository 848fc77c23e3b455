"""Demo data for trying LearnHub out (``flask --app learnhub seed-demo``).

Each feature adds a step to ``STEPS``; every step is idempotent, so the command can be run
again after an upgrade to add what is new without duplicating what is there.
"""

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import import_module
from pathlib import Path

from flask import current_app
from werkzeug.security import generate_password_hash

#: "module:function" names, run in order. Each takes a DemoContext.
STEPS = [
    "learnhub.organisations.demo:seed",
    "learnhub.courses.demo:seed",
    # declares the eligibility the demo course grants, before anyone completes it
    "learnhub.certificates.demo:seed",
    # gp.learner completes the course: the certificate is issued by the completion callback
    "learnhub.courses.demo:seed_completions",
    # earlier holders, so the supervisor register shows renewal, expiry and partial eligibility
    "learnhub.certificates.demo:seed_register",
    "learnhub.als.demo:seed",
    # ARRS staff and supervision arrangements, using the register entries above
    "learnhub.supervision.demo:seed",
    "learnhub.evaluation.demo:seed",
    "learnhub.certificates.demo:report",
]


@dataclass
class DemoContext:
    """What the steps share: the demo password and a log of the logins created."""

    password: str
    #: When the password comes from the environment, existing demo users are reset to it.
    password_from_env: bool = False
    logins: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    objects: dict[str, object] = field(default_factory=dict)

    @cached_property
    def password_hash(self) -> str:
        """The demo password, hashed once: every demo account shares it, and scrypt takes ~0.1 s a time."""
        return generate_password_hash(self.password)


def demo_password() -> tuple[str, str]:
    """The demo password and where it came from.

    ``LEARNHUB_DEMO_PASSWORD`` wins; otherwise one is generated once and kept in
    ``instance/demo-password.txt`` so repeated runs print the same working password.
    """
    from_env = os.environ.get("LEARNHUB_DEMO_PASSWORD")
    if from_env:
        return from_env, "LEARNHUB_DEMO_PASSWORD"
    path = Path(current_app.instance_path) / "demo-password.txt"
    if path.exists():
        return path.read_text().strip(), str(path)
    generated = "-".join(secrets.token_urlsafe(6) for _ in range(3))
    path.write_text(generated + "\n")
    path.chmod(0o600)
    return generated, f"generated, saved in {path}"


def run_steps(ctx: DemoContext) -> None:
    """Run every demo step in order."""
    for name in STEPS:
        module, _, func = name.partition(":")
        step: Callable[[DemoContext], None] = getattr(import_module(module), func)
        step(ctx)

"""Password rules following NCSC guidance: long, no composition rules, no common passwords.

Plain functions with no Flask import.
"""

import re
from functools import lru_cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MAX_LENGTH = 256


@lru_cache(maxsize=1)
def _deny_list() -> frozenset[str]:
    """The 30,000 most common leaked passwords shipped with zxcvbn."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, min_length: int = 12, personal: tuple[str, ...] = ()) -> str | None:
    """Say why a password is not acceptable, or return None if it is.

    :param personal: the user's own details (email, name), which a password must not be built on.
    """
    if len(password) < min_length:
        return f"Your password must be {min_length} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Your password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    if lowered in _deny_list():
        return "This is a commonly used password. Choose a different one"
    inputs = ["learnhub", "nhs", "password"]
    for detail in personal:
        words = re.findall(r"[a-z0-9]+", (detail or "").lower().split("@")[0])
        inputs += [detail.lower(), "".join(words), *words]
    if zxcvbn(password[:100], user_inputs=inputs)["score"] < 2:
        return (
            "Choose a password that is harder to guess: avoid repeated characters, keyboard "
            "patterns and your own name or email. Three random words work well"
        )
    return None

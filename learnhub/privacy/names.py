"""How a person is named, and what replaces their name once their data is erased."""

import re

#: Reason recorded on certificates and eligibility revoked by an erasure (shown on the verify page).
HOLDER_ERASED = "holder erased"
#: Name an erased account shows wherever a name is listed (registers, cohort reports, sets).
ERASED_NAME = "Erased person"
#: What replaces the person's name inside free text written by others.
NAME_REMOVED = "[name removed]"
_TITLES = ("Dr", "Mr", "Mrs", "Ms", "Miss", "Mx", "Prof", "Professor", "Sister", "Nurse")


def name_variants(name: str, email: str | None = None) -> list[str]:
    """The ways free text may name a person: the full name, without a title, title and surname, email.

    "Dr James Whitaker" gives "Dr James Whitaker", "James Whitaker", "Dr Whitaker" (with every
    usual title) and the email address. A first name alone is not removed: too many people share it.
    """
    words = [w for w in re.split(r"\s+", (name or "").strip()) if w]
    variants = {" ".join(words)} if words else set()
    if words and words[0].rstrip(".").lower() in {t.lower() for t in _TITLES}:
        words = words[1:]
        variants.add(" ".join(words))
    if len(words) >= 2:
        variants.update(f"{title} {words[-1]}" for title in _TITLES)
    if email:
        variants.add(email)
    return sorted((v for v in variants if len(v) >= 3), key=len, reverse=True)


def scrub_name(text: str | None, variants: list[str]) -> str | None:
    """``text`` with every variant of the person's name replaced by ``NAME_REMOVED`` (any case)."""
    if not text or not variants:
        return text
    alternatives = []
    for variant in variants:
        words = [re.escape(w) for w in variant.split()]
        if words and words[0] in _TITLES:
            words[0] += r"\.?"  # "Dr." as well as "Dr"
        alternatives.append(r"\s+".join(words))
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)
    return pattern.sub(NAME_REMOVED, text)


def erased_email(user_id: int) -> str:
    """A unique placeholder address that can never receive mail (``.invalid``, RFC 2606)."""
    return f"erased-{user_id}@erased.invalid"

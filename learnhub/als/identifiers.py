"""The identifier guard for ALS notes, actions and themes: see ``learnhub.identifiers``."""

from learnhub.identifiers import Finding, anonymise_message, find_identifiers, nhs_number_is_valid

__all__ = ["Finding", "anonymise_message", "find_identifiers", "nhs_number_is_valid"]

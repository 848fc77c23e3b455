"""The supervisor eligibility register: what a course grants, to whom, and until when."""

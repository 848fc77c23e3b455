"""Supervisor training courses: modules, knowledge checks, progress, completion, cohorts."""

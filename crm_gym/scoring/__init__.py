"""Scoring: state validators, the answer grader, the privacy check and the 7-dimension score."""

GRADER_VERSION = "2"
"""Bumped whenever the same answer can get another verdict. Run records carry it, so `crm-gym rescore` tells a
verdict the grader changed from one that does not reproduce. 1: token F1 and focus-marker extraction; 2: answers
read as a careful person reads them (see docs/scoring.md)."""

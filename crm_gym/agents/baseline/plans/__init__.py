"""Per-category plans of the baseline policy for the CRMArena-Pro suite."""

"""Decisions from stored probabilities: costs, threshold rules, operating points, uncertainty, warnings, the
recommendation, and recalibration (fitting and applying)."""

"""What torch's numbers mean: exact values as certified reals, rounding bounds, verdicts."""

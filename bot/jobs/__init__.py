"""Scheduled work (deadline sweeps, pruning), run once per cluster: a job runs where its lease is held."""

"""Baselines and peers the router is measured against, each runnable as its own process."""

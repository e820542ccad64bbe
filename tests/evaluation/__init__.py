"""Evaluation tests: a plain reference evaluator, hand-worked cases and differential tests."""

"""Deliberately wrong solutions: per lab, exercise id -> replacement code for that exercise's solution block.

A value is one string (replaces the exercise's first solution block) or a list of strings (one per block).
tests/test_grading.py grades each variant and expects that exercise, and no other, to fail.
"""

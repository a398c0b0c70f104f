"""Lab 00 graded through `kafkalab grade`: solution, unsolved lab, wrong variants (see test_grading.py)."""
from test_grading import lab_grading_test

test_lab00_grading_is_not_vacuous = lab_grading_test("lab00_setup")

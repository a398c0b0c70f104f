"""Lab 05 graded through `kafkalab grade`: solution, unsolved lab, wrong variants (see test_grading.py)."""
from test_grading import lab_grading_test

test_lab05_grading_is_not_vacuous = lab_grading_test("lab05_consumer_groups")

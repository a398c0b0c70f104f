"""Lab 02 graded through `kafkalab grade`: solution, unsolved lab, wrong variants (see test_grading.py)."""
from test_grading import lab_grading_test

test_lab02_grading_is_not_vacuous = lab_grading_test("lab02_topics_messages")

"""Autograding: checks that read the live cluster and the student's variables.

In a check module (checks/lab03_partitions.py, hidden parts in checks/hidden/lab03_partitions.py):

    from kafkalab.grading import exercise

    @exercise("lab03.ex1", points=2)
    def animals_topic(ctx):
        info = ctx.topic("animals")
        ctx.expect(len(info.partitions) == 3, "lab03_partitions", found=len(info.partitions))
        return {"partitions": len(info.partitions)}

In a notebook:

    from kafkalab.grading import check, check_all
    check("lab03.ex1")
    check_all()
"""
from .context import Context, Fail
from .registry import exercise, exercises, visible_module, weight
from .runner import LabResult, Result, check, check_all, run_exercise, run_lab

__all__ = ["Context", "Fail", "LabResult", "Result", "check", "check_all", "exercise", "exercises",
           "run_exercise", "run_lab", "visible_module", "weight"]

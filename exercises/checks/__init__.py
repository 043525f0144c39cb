"""The checks of the course's exercises, one module per exercise (`exNN_name.py`).

Each module registers its check with `simulators.course.checking.exercise`;
`simulators.course.checking.load_checks()` imports every module in this package.
"""

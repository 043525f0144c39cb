"""Robustness tests: quick by default, full size with `--run-slow`.

    pytest tests --run-slow                 # the option is declared in tests/conftest.py
    HOOKLAB_RUN_SLOW=1 pytest tests         # the same

tests/conftest.py reads the switch and skips tests marked `slow` without it. Hypothesis runs without
a database (nothing written into the repo) and without deadlines (a shared 2-core machine is noisy);
the number of examples comes from `fuzz_settings()`, hundreds by default, thousands with --run-slow.
"""

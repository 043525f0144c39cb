"""The course's subcommands of `hooklab`: each has `add_parser(subparsers)` and `run(args)`."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_check_options(parser: argparse.ArgumentParser) -> None:
    """The options `check` and `grade` share: the time budget and which check modules to load."""
    parser.add_argument(
        "--timeout", type=float, default=None, help="seconds each exercise may run (default: the exercise's own)"
    )
    parser.add_argument(
        "--checks",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="also load check modules from this .py file or folder (repeatable)",
    )
    parser.add_argument(
        "--no-course-checks",
        dest="course_checks",
        action="store_false",
        help="run only the checks loaded with --checks, not the course's own exercises",
    )

"""`hooklab worksheet`: your reflection answers, exported as Markdown and HTML."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulators.course.worksheets import export, worksheet_path
from simulators.course.worksheets.answers import WORKSHEET_ENV, load_answers


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "worksheet",
        help="export your reflection answers",
        description=f"Your reflection answers are saved as you type them (in ${WORKSHEET_ENV}, "
        "default ~/.hooklab/worksheet.json). Export them with every question, unanswered ones marked.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    exporting = actions.add_parser(
        "export",
        help="write worksheet.md and worksheet.html",
        description="Write the worksheet, grouped by notebook, as Markdown and/or HTML.",
    )
    exporting.add_argument(
        "--out", type=Path, default=Path("."), metavar="DIR", help="folder to write into (default: here)"
    )
    exporting.add_argument("--format", default="md,html", help="md, html or md,html (default)")
    exporting.add_argument(
        "--file",
        type=Path,
        default=None,
        help=f"the answers file (default: ${WORKSHEET_ENV} or ~/.hooklab/worksheet.json)",
    )
    actions.add_parser("path", help="print where your answers are saved")
    parser.set_defaults(worksheet_parser=parser)
    return parser


def run(args: argparse.Namespace) -> int:
    if args.action == "path":
        print(worksheet_path())
        return 0
    if args.action != "export":
        args.worksheet_parser.print_help()
        return 2
    try:
        answers = load_answers(args.file)
        written = export(args.out, args.format.split(","), answers=answers)
    except ValueError as exc:
        print(f"hooklab worksheet: {exc}")
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0

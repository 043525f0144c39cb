"""The `hooklab` command. Each subcommand lives in its own module here and
registers itself through `add_parser(subparsers)` and a `run(args)` function.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Subcommand modules, in the order `hooklab --help` lists them.
COMMANDS = ["serve", "trigger", "listen", "check", "grade", "worksheet"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hooklab",
        description="hooklab: simulated payment, provisioning, CRM and mailer systems, and the course that uses them.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue  # that subcommand is not part of this build
        command = module.add_parser(sub)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

"""The sandbox's commands: `serve`, `trigger` and `listen`.

Each subcommand module has `add_parser(subparsers)` and `run(args)`. The
course adds its own commands (`check`, `grade`, `worksheet`) in
`simulators.course.cli`, which is what the `hooklab` entry point runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from . import listen, serve, trigger

#: The sandbox's subcommands, in the order `hooklab --help` lists them.
COMMANDS: tuple[ModuleType, ...] = (serve, trigger, listen)


def build_parser(extra: Sequence[ModuleType] = ()) -> argparse.ArgumentParser:
    """The `hooklab` parser: the sandbox's commands, then `extra` ones."""
    parser = argparse.ArgumentParser(
        prog="hooklab",
        description="hooklab: simulated payment, provisioning, CRM and mailer systems, and the course that uses them.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (*COMMANDS, *extra):
        command = module.add_parser(sub)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None, *, extra: Sequence[ModuleType] = ()) -> int:
    parser = build_parser(extra)
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

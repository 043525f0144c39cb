"""The `hooklab` command: the sandbox's commands plus the course's (`check`, `grade`, `worksheet`)."""

from __future__ import annotations

import sys
from types import ModuleType

from simulators import cli

from .commands import check, grade, worksheet

#: The course's subcommands, listed after the sandbox's.
COMMANDS: tuple[ModuleType, ...] = (check, grade, worksheet)


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, extra=COMMANDS)


if __name__ == "__main__":
    sys.exit(main())

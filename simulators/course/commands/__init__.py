"""The course's subcommands of `hooklab`: each has `add_parser(subparsers)` and `run(args)`."""

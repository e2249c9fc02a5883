"""Headless subcommands, one module each.

Each module exposes ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args, paths) -> int``. ``lifeos_desk.cli`` lists them in COMMAND_MODULES.
A subcommand reports failure as one line on stderr and a non-zero exit code
(raise ``CommandError`` or ``DatabaseError``), never a traceback.
"""


class CommandError(Exception):
    """A failure to report as one line, with an exit code."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code

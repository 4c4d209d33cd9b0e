"""Every CLI command has a help text, an example and a place in the user guide (as
sqlite-utils checks its own), and the main group knows which module defines each
top-level command (it imports only that one)."""
import re
from pathlib import Path

import click
import pytest

from workbench.cli import load_all_commands, main
from workbench.cli._base import COMMAND_MODULES

ROOT = Path(__file__).resolve().parent.parent
#: the user's documentation: the guide and the chapters it links to (not the developer docs)
GUIDE = "\n".join(p.read_text() for p in sorted((ROOT / "docs").glob("*.md"))
                  if p.name not in ("architecture.md", "benchmarks.md"))


def _leaves(group: click.Group, prefix: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            yield from _leaves(cmd, prefix + (name,))
        else:
            yield prefix + (name,), cmd


load_all_commands()
COMMANDS = sorted(_leaves(main), key=lambda item: item[0])


def test_every_top_level_command_is_in_the_lazy_table():
    modules = {name: cmd.callback.__module__.rsplit(".", 1)[-1]
               for name, cmd in main.commands.items()}
    assert modules == COMMAND_MODULES


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_has_help_example_and_guide_entry(path, cmd):
    name = " ".join(path)
    text = cmd.help or ""
    assert text.strip(), f"`workbench {name}` has no help text"
    assert re.search(rf"workbench {re.escape(name)}\b", text), \
        f"`workbench {name}` --help shows no example (a line 'Example: workbench {name} ...')"
    assert re.search(rf"workbench {re.escape(name)}\b", GUIDE), \
        f"`workbench {name}` is not in the user guide (docs/*.md)"

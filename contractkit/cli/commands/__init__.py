"""Click commands, one module per area; cli.app registers each module's COMMANDS.

Modules import only click and contractkit.cli.kit at the top; everything heavy is imported inside
the command, so `contractkit --help` stays fast (tests/test_cli.py checks it).
"""

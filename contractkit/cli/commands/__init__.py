"""Click commands, one module per area; contractkit.cli registers each module's COMMANDS.

Modules import only click and contractkit.clikit at the top; everything heavy is imported inside
the command, so `contractkit --help` stays fast (tests/test_imports.py checks it).
"""

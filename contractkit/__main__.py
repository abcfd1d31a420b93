from contractkit.cli import main

main(prog_name="contractkit")

"""The command line: one thin module per command, and the click group that gathers them."""

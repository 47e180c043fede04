"""``canishare`` subcommands, one module each; :mod:`.main` parses the command line and dispatches."""

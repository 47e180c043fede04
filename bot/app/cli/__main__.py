"""``python -m bot.app.cli``: the same as the ``canishare`` command."""

import sys

from bot.app.cli.main import main

sys.exit(main())

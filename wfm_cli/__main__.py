"""``python3 -m wfm_cli``: the ``wfm`` command without the console script."""

from wfm_cli.main import main

main()

"""Tests of the command layer (``wfm_cli``) as a whole; each command's own tests sit beside the
package it drives (``tests/wfm/test_*_cli.py``, ``tests/api/test_cli.py``, ...)."""

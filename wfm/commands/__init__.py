"""One module per CLI command; each exposes ``register(app)`` (see ``wfm/cli.py``)."""

"""One module per CLI command; each exposes ``register(app)`` (see ``wfm_cli/main.py``)."""

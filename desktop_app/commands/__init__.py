"""Subcommands of ``coverage-desk``, one module per area; each has ``register(sub)``."""

"""canishare: can I share this? Engine, stores, settings, channels, server and CLI."""

__version__ = "0.1.0"

"""The one composition root: settings to services, the HTTP server, the worker, the CLI."""

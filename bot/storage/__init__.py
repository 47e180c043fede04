"""Implementations of the core's storage ports: memory and Redis. The only place that builds Redis commands."""

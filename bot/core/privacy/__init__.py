"""Privacy guard: catch UK identifying details in chat text before it is stored, logged or forwarded."""

from bot.core.privacy.detector import (
    KIND_LABELS,
    Finding,
    PrivacyGuard,
    Redaction,
    describe,
    get_guard,
)

__all__ = ["KIND_LABELS", "Finding", "PrivacyGuard", "Redaction", "describe", "get_guard"]

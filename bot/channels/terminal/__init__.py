"""The terminal channel: plain-text rendering of Replies and choice picking."""

"""Conversation logic. Pure: a dialog takes input and state and returns replies and new state."""

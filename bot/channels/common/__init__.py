"""What every channel shares: command grammar, escaping helpers, clipping, the contacts reply."""

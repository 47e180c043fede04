"""Channel edges: translate platform events to Turns and Replies to platform messages. No advice logic."""

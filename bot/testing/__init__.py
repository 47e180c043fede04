"""Local fakes shared by tests and benchmarks: the Slack Web API, the Bot Framework connector, request signing."""

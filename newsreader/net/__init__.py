"""The one HTTP client: limits, deadlines, body caps, redirects, conditional GET."""

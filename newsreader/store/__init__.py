"""Storage: a disposable cache for re-fetchable data and a durable store for user state."""

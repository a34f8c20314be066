"""API views: thin. Selectors decide what a caller sees; services do every write."""

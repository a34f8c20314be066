"""Serializers for /api/v1/: read shapes with links, and write shapes parsed into services."""

"""Reads for pages and the API; they decide who sees and who may edit what."""

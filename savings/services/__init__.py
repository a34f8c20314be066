"""Writes for the savings app: inputs, reference data and the stored results."""

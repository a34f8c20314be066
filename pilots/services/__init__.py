"""Writes for the pilots app. Each opens its own transaction and checks who is acting."""

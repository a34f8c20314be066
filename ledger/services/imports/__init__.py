"""Importing spend files into spend returns: upload → preview job → confirm.

Modules: ``jobs`` (create, remap, cancel), ``preview`` (read, map and validate into the staging
table), ``confirm`` (into the ledger, all or nothing), ``staging`` (COPY on PostgreSQL, the ORM
elsewhere), ``context`` (what the readers need from the ledger), ``themes`` (theme rules),
``apportionment`` (drivers), ``mappings`` (saved column mappings), ``duplicates``, ``results``.
"""

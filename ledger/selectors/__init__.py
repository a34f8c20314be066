"""Reads for pages, the API, services and tasks, one module per concept: who acts for whom
(``access``), places, returns, imports, theme rules, the count of a place and its coverage,
national datasets, duplicates, and the approver's check-list. Views never query
user-dependent data themselves."""

"""The explorer app's pages, one module per page (the layout ledger, pilots and savings use)."""

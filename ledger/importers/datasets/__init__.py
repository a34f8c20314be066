"""Readers for national datasets: DLUHC wide revenue tables by authority (``wide``) and HM
Treasury's Country and Regional Analysis / PESA databases (``regional``). They read and
check; they never touch the database (``ledger.services.datasets`` resolves and stores)."""

"""The seller's accounting system beside us (МойСклад): its connector, account, imports."""

"""The catalogue: products, their barcodes, and the marketplaces' cards linked to them."""

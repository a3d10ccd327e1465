"""Stock in bins: reservation, taking and putting back, and pushing levels to marketplaces."""

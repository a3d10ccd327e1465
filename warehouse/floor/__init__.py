"""Work on the floor: picking (single and batch), shortages, marking codes, packing."""

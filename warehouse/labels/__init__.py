"""Labels and printers: print jobs, their runs, our own labels, SSCCs, registry, previews."""

"""Reports and money: stock, work, sales, the commissioner report, profit, what to order."""

"""RQ cron configuration: ``rq cron warehouse.cron``.

Periodic jobs only enqueue; the workers do the work.
"""

from __future__ import annotations

import os

from rq import cron

from warehouse import jobs

IMPORT_INTERVAL = int(os.environ.get("WAREHOUSE_IMPORT_INTERVAL_SECONDS", "60"))
PRINTER_CHECK_INTERVAL = int(os.environ.get("WAREHOUSE_PRINTER_CHECK_INTERVAL_SECONDS", "30"))
MOYSKLAD_STOCK_INTERVAL = int(os.environ.get("WAREHOUSE_MOYSKLAD_STOCK_INTERVAL_SECONDS", "900"))
# WB refreshes its remains every 30 min, Ozon's analytics once a day: half an hour is enough
PRICE_READ_INTERVAL = int(os.environ.get("WAREHOUSE_PRICE_READ_INTERVAL_SECONDS", "3600"))
# the marketplaces' statistics move every few minutes; WB allows one call a minute per kind
SALES_INTERVAL = int(os.environ.get("WAREHOUSE_SALES_INTERVAL_SECONDS", "900"))
FBO_STOCK_INTERVAL = int(os.environ.get("WAREHOUSE_FBO_STOCK_INTERVAL_SECONDS", "1800"))

cron.register(jobs.import_all_orders, "default", interval=IMPORT_INTERVAL)
cron.register(jobs.sweep_outbox, "outbox", interval=60)
cron.register(jobs.sweep_print_jobs, "print", interval=60)
cron.register(jobs.import_all_cards, "default", interval=3600)
cron.register(jobs.sweep_accounting_syncs, "default", interval=60)
cron.register(jobs.read_all_accounting_stock, "default", interval=MOYSKLAD_STOCK_INTERVAL)
cron.register(jobs.read_all_fbo_stock, "default", interval=FBO_STOCK_INTERVAL)
cron.register(jobs.check_printers, "default", interval=PRINTER_CHECK_INTERVAL)
cron.register(jobs.check_alerts, "default", interval=60)
cron.register(jobs.prune_api_log, "default", interval=86400)
cron.register(jobs.sweep_webhooks, "outbox", interval=60)
cron.register(jobs.run_price_schedules, "default", interval=60)
cron.register(jobs.read_all_prices, "default", interval=PRICE_READ_INTERVAL)
cron.register(jobs.read_all_sales, "default", interval=SALES_INTERVAL)
cron.register(jobs.sweep_report_runs, "default", interval=120)

"""Turn saved forum pages into plain items: engines, dates, sanitizing; no I/O, no database."""

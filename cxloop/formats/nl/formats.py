# The one format staff see dates in, whatever the language: "3 dec 2026 14:05" (cxloop/lib/dates.py).
DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y H:i"
SHORT_DATE_FORMAT = "j b Y"
SHORT_DATETIME_FORMAT = "j b Y H:i"

"""Analytics owns no tables, so nothing is registered in the back office; recruiters read
the figures through ``GET /api/v1/analytics``."""

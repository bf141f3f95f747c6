"""Nothing of analytics is registered in the back office: its tables are snapshots that only
``analytics.services.analytics_snapshot`` writes, and their figures are read on the dashboard
and through ``GET /api/v1/analytics`` and ``/analytics/report``."""

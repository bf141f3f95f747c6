"""Analytics has no list endpoints to filter; its one query parameter (``organization``) is
parsed by the view. The module exists so the app keeps the skeleton every app shares."""

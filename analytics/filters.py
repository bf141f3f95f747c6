"""Analytics has no list endpoints to filter; the report's parameters (organization, job,
department, recruiter, from, to) are parsed by its query serializer
(``api/serializers.py``). The module exists so the app keeps the skeleton every app shares."""

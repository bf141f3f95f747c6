from hotgigs.errors import NotFound


class AnalyticsScopeNotFound(NotFound):
    default_message = "No organization of yours matches."


class AnalyticsJobNotFound(NotFound):
    default_message = "No job of yours matches."

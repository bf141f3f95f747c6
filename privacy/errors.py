from hotgigs.errors import ValidationFailed


class InvalidErasure(ValidationFailed):
    default_message = "The erasure request is not valid."


class InvalidRetention(ValidationFailed):
    default_message = "The retention period is not valid."

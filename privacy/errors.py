from hotgigs.errors import ValidationFailed


class InvalidErasure(ValidationFailed):
    default_message = "The erasure request is not valid."

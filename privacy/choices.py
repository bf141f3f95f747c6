# What a person types to confirm an erasure (the API's body and the back office's form).
ERASE_CONFIRMATION = "ERASE"

from hotgigs.errors import NotFound


class NoteNotFound(NotFound):
    default_message = "Note not found."

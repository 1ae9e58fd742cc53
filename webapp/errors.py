"""API errors that name the request field at fault: answered as 400 {"detail", "field"} (see webapp/api.py)."""

from ninja.errors import HttpError


class FieldError(HttpError):
    def __init__(self, message: str, field: str | None, status_code: int = 400, **extra):
        super().__init__(status_code, message)
        self.field = field
        self.extra = extra

    def body(self) -> dict:
        return {"detail": str(self), "field": self.field, **self.extra}

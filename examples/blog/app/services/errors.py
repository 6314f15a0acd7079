"""Domain errors raised by services. They know nothing about HTTP: `app.errors`
maps each class to a status code at the API boundary."""

from __future__ import annotations


class DomainError(Exception):
    """Base class; `code` is the stable, machine-readable error identifier."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(DomainError):
    """The requested entity does not exist."""

    code = "not_found"

    @classmethod
    def for_entity(cls, entity: str, entity_id: int) -> NotFoundError:
        """A uniform message such as "User 42 not found"."""
        return cls(f"{entity} {entity_id} not found")


class ConflictError(DomainError):
    """The change would break a uniqueness rule (e.g. an email already in use)."""

    code = "conflict"


class InvalidInputError(DomainError):
    """Input that passed schema validation but makes no sense (e.g. a bad cursor)."""

    code = "invalid_input"


class ServiceUnavailableError(DomainError):
    """A dependency such as the database cannot be reached."""

    code = "service_unavailable"

"""Who is acting: a signed-in user, an API token or the system (seed, CLI), with roles per organisation."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """The identity a service checks and records in the audit log."""

    label: str  # what the audit log shows: an e-mail, "token:abc123" or "system:seed"
    user_id: int | None = None
    roles: dict[int, frozenset[str]] = field(default_factory=dict)  # organisation id -> roles
    is_site_admin: bool = False
    is_system: bool = False
    request_id: str | None = None  # ties audit entries to the request or command that made them
    person_id: int | None = None  # for a token: the account that made it and answers for its use

    @property
    def person(self) -> int | None:
        """The account of the person behind this actor (a user, or the maker of a token)."""
        return self.person_id if self.person_id is not None else self.user_id

    def roles_in(self, organisation_id: int) -> frozenset[str]:
        """The roles this actor holds in one organisation."""
        return self.roles.get(organisation_id, frozenset())


def system_actor(name: str) -> Actor:
    """An actor for work the register does itself (seed, import of already published data, CLI)."""
    return Actor(label=f"system:{name}", is_site_admin=True, is_system=True)

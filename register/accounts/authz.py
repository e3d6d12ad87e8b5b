"""Authorisation, decided in the domain: may actor X do Y to organisation Z?"""

from register.accounts.actor import Actor
from register.errors import NotAuthorised

# Which roles allow which action within an organisation. Approvers (privacy officers) may also edit;
# the four-eyes rule, not the role, keeps them from publishing their own edits.
PERMISSIONS: dict[str, frozenset[str]] = {
    "read_internal": frozenset({"editor", "approver", "org_admin"}),
    "edit": frozenset({"editor", "approver"}),
    "submit": frozenset({"editor", "approver"}),
    "publish": frozenset({"approver"}),
    "withdraw": frozenset({"approver"}),
    "archive": frozenset({"approver", "org_admin"}),
    "read_audit": frozenset({"approver", "org_admin"}),
    "manage_members": frozenset({"org_admin"}),
    "manage_tokens": frozenset({"org_admin"}),
}
SITE_ONLY = frozenset({"manage_organisations", "read_site_audit"})


def can(actor: Actor, action: str, organisation_id: int | None = None) -> bool:
    """True when the actor may perform the action for the organisation."""
    if action not in PERMISSIONS and action not in SITE_ONLY:
        raise ValueError(f"unknown action {action!r}")
    if actor.is_site_admin:
        return True
    if action in SITE_ONLY or organisation_id is None:
        return False
    return bool(actor.roles_in(organisation_id) & PERMISSIONS[action])


def require(actor: Actor, action: str, organisation_id: int | None = None) -> None:
    """Raise NotAuthorised unless the actor may perform the action."""
    if not can(actor, action, organisation_id):
        raise NotAuthorised(f"{actor.label} may not {action.replace('_', ' ')} for this organisation")

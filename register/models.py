"""Every table, imported in one place so SQLModel.metadata is complete (for Alembic and tests)."""

from register.accounts.models import ApiToken, Membership, SignInThrottle, User
from register.audit.models import AuditChainHead, AuditEntry
from register.geo.models import Area
from register.organisations.models import Organisation, OrganisationArea
from register.registrations.models import (
    AgreementDetails,
    AlgorithmDetails,
    PublicIdCounter,
    Registration,
    RegistrationLink,
    RegistrationVersion,
    SensorDetails,
)
from register.reports.models import Report
from register.vocab.models import VocabularyTerm

__all__ = [
    "AgreementDetails", "AlgorithmDetails", "ApiToken", "Area", "AuditChainHead", "AuditEntry",
    "Membership", "Organisation", "OrganisationArea", "PublicIdCounter", "Registration",
    "RegistrationLink", "RegistrationVersion", "Report", "SensorDetails", "SignInThrottle", "User",
    "VocabularyTerm",
]

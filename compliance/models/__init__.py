"""
Compliance models.

``Scan`` (one pass over a source for a dataset version: PII classification, quality profile, subject-key index),
its ``ColumnFinding`` rows (verdicts with masked examples only) and the ``SubjectKey`` index (keyed digests of
normalised identifiers — never the identifiers).

Governance (``governance``): the Art. 30 register (``Party``, ``Recipient``, ``Transfer``, ``RetentionPolicy``,
``ProcessingActivity`` with ``ActivityPurpose``), ``ConsentWithdrawal`` and the propagated ``GovernanceFlag``.

Subject requests (``requests``): ``SubjectRequest`` with its ``SubjectIdentifier`` digests and masked hints,
one ``SubjectRequestAction`` per affected version or deployment, their ``ActionVerification`` checks and the
Art. 19 ``RecipientNotification`` notices.
"""

from compliance.models.governance import (
    ActivityPurpose,
    ConsentWithdrawal,
    FlagKind,
    GovernanceFlag,
    Party,
    PartyRole,
    ProcessingActivity,
    Recipient,
    RecipientCategory,
    RetentionAction,
    RetentionPolicy,
    Transfer,
    TransferSafeguard,
    WithdrawalScope,
)
from compliance.models.requests import (
    ActionKind,
    ActionStatus,
    ActionTarget,
    ActionVerification,
    ExemptionGround,
    ImpactReason,
    RecipientNotification,
    RequestChannel,
    RequestOutcome,
    RequestStatus,
    SubjectIdentifier,
    SubjectRequest,
    SubjectRequestAction,
    SubjectRequestKind,
)
from compliance.models.scans import ColumnFinding, Scan, SubjectKey

__all__ = (
    "ActivityPurpose",
    "ColumnFinding",
    "ConsentWithdrawal",
    "FlagKind",
    "GovernanceFlag",
    "Party",
    "PartyRole",
    "ProcessingActivity",
    "Recipient",
    "RecipientCategory",
    "RetentionAction",
    "RetentionPolicy",
    "Scan",
    "SubjectKey",
    "Transfer",
    "TransferSafeguard",
    "WithdrawalScope",
    # Subject requests
    "ActionKind",
    "ActionStatus",
    "ActionTarget",
    "ActionVerification",
    "ExemptionGround",
    "ImpactReason",
    "RecipientNotification",
    "RequestChannel",
    "RequestOutcome",
    "RequestStatus",
    "SubjectIdentifier",
    "SubjectRequest",
    "SubjectRequestAction",
    "SubjectRequestKind",
)

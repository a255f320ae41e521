"""Partnering Machine models: SQLAlchemy 2.0 typed models, one module per aggregate.

Importing this package registers every table on ``Base.metadata``.
"""

from models.accounts import AccountToken, OrganisationMembership, SggMembership, User
from models.api_tokens import ApiToken
from models.audit import AuditEntry, Heartbeat
from models.base import Base
from models.consortia import (
    ExpertiseIndexFiles,
    ExpertiseIndexVersion,
    Invitation,
    InvitedPerson,
    MatchRequest,
    SuggestedMember,
)
from models.contacts import Contact, JoinRequest
from models.cordis import CordisProject, ImportIssue, ImportRun, Participation
from models.interests import TopicInterest
from models.notifications import (
    DeadlineReminder,
    NotificationPreference,
    OutboxMessage,
    TaskRun,
)
from models.organisations import NameWord, Organisation
from models.partners import PartnerApplication
from models.pledges import Pledge
from models.programmes import Call, Programme, ProgrammeReviewer, ScientificArea, Sgg
from models.topic_work import (
    ReviewReminder,
    TopicComment,
    TopicReview,
    TopicRevision,
    TopicTransition,
)
from models.topics import Topic, TopicIndustryPartner

__all__ = [
    "AccountToken",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Call",
    "Contact",
    "CordisProject",
    "DeadlineReminder",
    "ExpertiseIndexFiles",
    "ExpertiseIndexVersion",
    "Heartbeat",
    "ImportIssue",
    "ImportRun",
    "Invitation",
    "InvitedPerson",
    "JoinRequest",
    "MatchRequest",
    "NameWord",
    "NotificationPreference",
    "Organisation",
    "OrganisationMembership",
    "OutboxMessage",
    "Participation",
    "PartnerApplication",
    "Pledge",
    "Programme",
    "ProgrammeReviewer",
    "ReviewReminder",
    "ScientificArea",
    "Sgg",
    "SggMembership",
    "SuggestedMember",
    "TaskRun",
    "Topic",
    "TopicComment",
    "TopicIndustryPartner",
    "TopicInterest",
    "TopicReview",
    "TopicRevision",
    "TopicTransition",
    "User",
]

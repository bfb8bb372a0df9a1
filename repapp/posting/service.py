"""The posting service: approved replies to the forum, exactly once. Import the API from here.

    approved --claim_due_replies--> posting --forum stored it--> posted --confirm_posted--> posted + posted_post_id
        ^                              |  \\--no answer, 5xx----> unknown --resolve_unknown: found--> posted (+ confirmed)
        |                              |                            |
        +---- refused, not sent -------+                            +-- not found --> approved (backoff) | failed
        +---- limits moved the slot ---+ (replanned, not an attempt)
        +---- cannot post here --------+ (post_method = manual: a person posts it)
    posting whose claim outlived the lease (the worker died) --expire_stale_claims--> unknown
    approved | unknown | failed --mark_posted_manually--> posted (manual) --confirm_posted--> confirmed
    an attempt is counted at each claim; after PostingSettings.max_attempts the reply is failed.

plan_reply, post_by_hand and mark_posted_manually flush and leave the commit to the caller.
claim_due_replies, send_reply, expire_stale_claims, resolve_unknown and confirm_posted commit
themselves: a claim must be durable before the forum sees the POST, and the forum's answer
recorded as soon as it is read. Every state change is audited.

Posting limits: pass `limits=` (a PostingLimits), or plug the playbook in force into
repapp.posting.planning.limits_for (see its docstring).
"""

from __future__ import annotations

from .confirming import CheckResult, confirm_posted, resolve_unknown
from .errors import (
    LoginRefused,
    NotPosted,
    OutcomeUnknown,
    PermalinkError,
    PostingError,
    PostingStateError,
)
from .limits import PostingLimits, next_slot, plan_slots
from .manual import mark_posted_manually, post_by_hand, post_id_from_permalink
from .planning import account_times, limits_for, plan_reply, plan_unplanned
from .sending import (
    Claim,
    SendResult,
    claim_due_replies,
    expire_stale_claims,
    send_reply,
)
from .states import DEFAULT_SETTINGS, Outcome, PostingSettings

__all__ = [
    "DEFAULT_SETTINGS", "CheckResult", "Claim", "LoginRefused", "NotPosted", "Outcome", "OutcomeUnknown",
    "PermalinkError", "PostingError", "PostingLimits", "PostingSettings", "PostingStateError", "SendResult",
    "account_times", "claim_due_replies", "confirm_posted", "expire_stale_claims", "limits_for",
    "mark_posted_manually", "next_slot", "plan_reply", "plan_slots", "plan_unplanned", "post_by_hand",
    "post_id_from_permalink", "resolve_unknown", "send_reply",
]

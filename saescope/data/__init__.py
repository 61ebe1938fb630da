"""Conversations in the lmsys-chat-1m schema and their chat-templated tokens."""

from saescope.data.conversations import Conversation, DataError, ReadStats, iter_conversations
from saescope.data.templating import ROLE_CODES, TokenizedConversation, tokenize_conversation

__all__ = [
    "ROLE_CODES",
    "Conversation",
    "DataError",
    "ReadStats",
    "TokenizedConversation",
    "iter_conversations",
    "tokenize_conversation",
]

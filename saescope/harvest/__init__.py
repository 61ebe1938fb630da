"""Stage 1: residual-stream activations over conversations, into a sharded, resumable dataset."""

from saescope.harvest.dataset import ActivationDataset, ConversationTokens, DatasetError, Record

__all__ = ["ActivationDataset", "ConversationTokens", "DatasetError", "Record"]

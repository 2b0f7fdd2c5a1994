"""Deduplication and case threading: the layers PartitionState applies to each message."""

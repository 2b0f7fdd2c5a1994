"""The intake contract: the normalised Message, its topics, headers and serialisation.

Everything that enters omniroute becomes one `Message` on `omniroute.intake.<channel>`.
Connectors and the router depend on this package; it depends on neither.
"""

from intake.message import Attachment, Channel, Customer, Message, MessageDraft, MessageKind, Thread

__all__ = ["Attachment", "Channel", "Customer", "Message", "MessageDraft", "MessageKind", "Thread"]

"""Phone-log connectors: Asterisk CDR files (tailed), FreeSWITCH mod_json_cdr and Twilio Voice
callbacks (HTTP). Each turns a call into one `MessageDraft` on `omniroute.intake.phone`:

- a missed, abandoned or busy call, or a voicemail, is a `CALLBACK_REQUEST` (DESIGN: "missed
  calls called back"); an answered or failed call is a `CALL_RECORD`; outbound calls are always
  records (we called them, nobody waits for a callback);
- `Customer.phone` is the caller (the callee for outbound calls), E.164 when it parses;
- metadata keys are listed in `connectors.phone.metadata`.
"""

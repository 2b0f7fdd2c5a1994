"""Metadata keys every phone message may carry (scalar values only; absent when unknown).

| key | value |
|---|---|
| `pbx` | `asterisk`, `freeswitch` or `twilio` |
| `call_id` | the PBX's own id (Asterisk uniqueid, FreeSWITCH uuid, Twilio CallSid) |
| `call_direction` | `inbound` or `outbound` |
| `call_disposition` | `answered`, `missed`, `abandoned`, `busy`, `failed`, `voicemail` |
| `call_disposition_raw` | what the PBX said (`NO ANSWER`, `ORIGINATOR_CANCEL`, `no-answer`) |
| `caller`, `callee` | E.164 when the number parses, otherwise as given (extension, SIP user) |
| `caller_e164_valid` | false when the caller number could not be read as E.164 |
| `queue` | queue / call group the call waited in (department hint) |
| `department_hint` | department configured for the queue, dialled number or context |
| `call_started_at`, `call_answered_at`, `call_ended_at` | ISO 8601, UTC |
| `ring_seconds` | time from start until answer (or until the caller gave up) |
| `talk_seconds` | time from answer to hang-up (0 when not answered) |
| `duration_seconds` | start to hang-up |
| `recording_ref`, `transcript_ref` | where the recording / transcript can be fetched |
| `recording_duration_seconds` | length of the recording |
| `callback_kind` | Twilio only: `status`, `recording` or `transcription` |
| `pbx_context`, `pbx_last_app`, `pbx_account` | Asterisk/FreeSWITCH dialplan context, last
  application and account code, for routing rules |
"""

PBX = "pbx"
CALL_ID = "call_id"
DIRECTION = "call_direction"
DISPOSITION = "call_disposition"
DISPOSITION_RAW = "call_disposition_raw"
CALLER = "caller"
CALLEE = "callee"
CALLER_E164_VALID = "caller_e164_valid"
QUEUE = "queue"
DEPARTMENT_HINT = "department_hint"
STARTED_AT = "call_started_at"
ANSWERED_AT = "call_answered_at"
ENDED_AT = "call_ended_at"
RING_SECONDS = "ring_seconds"
TALK_SECONDS = "talk_seconds"
DURATION_SECONDS = "duration_seconds"
RECORDING_REF = "recording_ref"
TRANSCRIPT_REF = "transcript_ref"
RECORDING_DURATION_SECONDS = "recording_duration_seconds"
CALLBACK_KIND = "callback_kind"
PBX_CONTEXT = "pbx_context"
PBX_LAST_APP = "pbx_last_app"
PBX_ACCOUNT = "pbx_account"

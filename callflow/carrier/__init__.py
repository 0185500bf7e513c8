"""The local carrier: a Twilio look-alike that places real calls against the app. See README.md."""

from callflow.carrier.calls import Call, CallStatus, Entry, ScriptError
from callflow.carrier.interactive import Conflict, Delivery, InputError, Interactive
from callflow.carrier.phones import Answer, Caller, Pickup, hang_up, press, say, silence
from callflow.carrier.server import Carrier

__all__ = ["Answer", "Call", "CallStatus", "Caller", "Carrier", "Conflict", "Delivery", "Entry", "InputError",
           "Interactive", "Pickup", "ScriptError", "hang_up", "press", "say", "silence"]

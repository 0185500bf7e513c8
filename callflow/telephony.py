"""The one telephony path: the real twilio REST client, pointed at TWILIO_API_URL.

In production that is Twilio itself; in tests, the demo and benchmarks it is the local carrier. There is no
other adapter: whatever we do to a call goes through this client.
"""

from __future__ import annotations

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from callflow.settings import Settings


def twilio_client(settings: Settings, timeout: float = 10.0) -> Client:
    """A REST client for our account whose API base URL honours TWILIO_API_URL."""
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token,
                    http_client=TwilioHttpClient(timeout=timeout))
    client.api.base_url = settings.twilio_api_url
    return client

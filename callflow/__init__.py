"""callflow: contact-centre call flows on Twilio."""

__version__ = "0.1.0"

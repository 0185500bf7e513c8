"""The domain: what a contact centre decides, as plain functions over plain data with an explicit clock.

No module here reaches Redis, the database, the web or telephony (`.importlinter` holds it so): the script
language and engine, steering, wait estimates and promises, the hold manager's rules, a call's summary. Tested in
`tests/unit` without any service running.
"""

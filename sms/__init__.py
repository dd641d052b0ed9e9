"""The SMS channel: Twilio webhooks, keyword commands, replies and outbound gateways."""

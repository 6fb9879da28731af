"""The standing QR channel (一码通): channels with their posters, submitting any day without an
account, triage (分办) into the same closed loop as meeting items, and the monthly public summary."""

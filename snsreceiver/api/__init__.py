"""The HTTP side of snsreceiver: the SNS webhook and the operator API."""

"""Allows ``python -m snsreceiver``, the same as the ``snsreceiver`` command."""

from snsreceiver.cli.main import main

main()

"""The ``snsreceiver`` command line: a thin shell over the library."""

"""Suppression policy: turns feedback records into decisions about an address."""

"""snsreceiver: turns Amazon SES feedback delivered by Amazon SNS into suppressions."""

__version__ = "0.1.0"

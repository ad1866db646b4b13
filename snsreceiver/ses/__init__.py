"""SES feedback: the bounce, complaint and delivery documents SNS carries."""

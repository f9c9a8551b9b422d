"""cxloop: closed-loop customer feedback for organisations and their chain partners."""

__version__ = "0.1.0"

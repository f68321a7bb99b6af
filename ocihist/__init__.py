"""ocihist: container image build history, offline."""

__version__ = "0.1.0"

"""jixiao (绩效): performance self-evaluation of public budget projects."""

__version__ = "0.1.0"

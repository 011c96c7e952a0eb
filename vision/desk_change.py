"""The desk stage's public names, kept where other code imports them from (the stage lives in vision/desk/)."""

from vision.desk import *  # noqa: F403  (the same public names, listed once in vision/desk/__init__.py)
from vision.desk import __all__  # noqa: F401

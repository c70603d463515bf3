"""qa: offline question answering over a folder of news articles.

Every answer is a passage of a source article with an exact citation; nothing is generated.
"""

__version__ = "0.1.0"

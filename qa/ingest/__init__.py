"""Finding and reading sources: article files found under the user's folders, read into
Documents (text, title, date, author, site), cut into passages along sentence boundaries."""

"""News and guides: writing with revisions, review and publishing, Markdown with live embeds."""

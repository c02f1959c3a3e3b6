"""Analysers: each explains one aspect of a comment as findings with scores and evidence spans."""

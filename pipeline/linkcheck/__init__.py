"""The link check: entities compared with the hand links, the rules that type link targets, the corpus report."""

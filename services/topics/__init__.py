"""Call topics and calls: content and revisions, lifecycle, reviews, comments, lists."""

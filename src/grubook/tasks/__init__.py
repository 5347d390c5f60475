"""Tasks the book trains on: the addition task (chapter 5) and memory tasks (chapters 3-4)."""

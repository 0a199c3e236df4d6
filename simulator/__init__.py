"""Agent-based simulator of LLM firms expanding into country markets."""

"""Reminder SMS: rules that plan them, the dispatch pass that sends them, APScheduler wiring."""

"""Triage of forum posts: automatic tags (question, problem, positive…) that representatives correct."""

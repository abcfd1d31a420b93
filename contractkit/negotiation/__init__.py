"""Negotiation: ladders, swaps that edit the deal file in place, and their redlines."""

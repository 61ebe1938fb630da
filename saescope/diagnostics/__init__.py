"""Diagnostics that run saescope's stages end to end on this machine (`scripts/gpu-check`)."""

"""Steering: edit the residual stream along SAE feature directions, and measure how reliably a feature steers."""

from saescope.steer.generate import SteeredGeneration, steered_generate
from saescope.steer.intervene import Intervention, SteerError, steering

__all__ = ["Intervention", "SteerError", "SteeredGeneration", "steered_generate", "steering"]

"""Waves of data collection, cases at several levels (sites, organisations), and the
views that follow them: trajectories, changes between waves, the sampling frame,
saturation (see :mod:`workbench.waves.api`)."""
from workbench.waves.api import WavesAPI

__all__ = ["WavesAPI"]

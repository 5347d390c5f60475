"""The tests draw their matplotlib figures off screen."""

import matplotlib

matplotlib.use("Agg")

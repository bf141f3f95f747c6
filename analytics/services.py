"""Analytics writes nothing yet: every figure is computed on read from the pipeline history
(see ``selectors.py``). Daily snapshot roll-ups will be written here when live queries stop
being cheap enough; the module exists so the app keeps the skeleton every app shares."""

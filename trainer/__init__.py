"""Datasets, binding, the fit loop and its progress events. No Django here.

Keras and TensorFlow are imported only by the modules that need them
(runner, device), so the dataset and settings code stays quick to import.
"""

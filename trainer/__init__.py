"""Datasets, binding, the fit loop and its progress events. No Django here.

runner.train() is one run; it uses model (a fresh, seeded Keras session and the model), optim (optimizer,
callbacks, lr schedule), progress (events, history, NaN), memory (size checks), figures (confusion matrix,
samples, png_data_url) and errors. Keras and TensorFlow are imported only by the modules that need them
(runner, progress, device and, lazily, model and optim), so the dataset and settings code stays quick to import.
"""

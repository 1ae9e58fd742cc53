"""Uploaded .keras models: a person's trained models, for Pretrained blocks ({"upload": id})."""

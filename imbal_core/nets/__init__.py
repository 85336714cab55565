"""The networks: Keras models (MLP, CNN, autoencoder), one Keras fit, what a fit is fed, stacked training of
many networks as one, and the process's trainer with its compiled-model cache."""

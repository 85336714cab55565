"""The stacked networks' TensorFlow functions: kernels and biases with a leading member axis packed flat, the
MLP's forward pass with dropout read from each member's own table, focal cross-entropy per row, and the compiled
epoch (a loop of Adam steps for every member in one call). Traced once per architecture and kept for the process.
imbal_core.nets.stacked runs them: members, batches, early stopping, results.
"""

from __future__ import annotations

import numpy as np

ADAM_BETA_1 = 0.9
ADAM_BETA_2 = 0.999
ADAM_EPSILON = 1e-7  # Keras' Adam defaults
PROBABILITY_FLOOR = 1e-7  # the focal factor's base is kept above this, so gamma = 0 has a finite gradient
PREDICT_ROWS = 65536  # rows per member per forward pass when predicting
DROPOUT_TABLE = 1 << 17  # uniform numbers per member that dropout masks are read from


def member_probabilities(parameters: list[np.ndarray], features: np.ndarray, outputs: int) -> np.ndarray:
    """One member's MLP (no dropout) on `features`, alone in the forward pass (so its scores never depend
    on other members: a batched product's rounding can change with how many share it); (rows, classes)."""
    # deferred: TensorFlow loads only when training starts
    import tensorflow as tf

    forward = _forward_function(len(parameters) // 2 - 1, outputs == 1)
    weights = [tf.constant(value[None]) for value in parameters]
    width = parameters[0].shape[0]
    pieces = []
    for start in range(0, len(features), PREDICT_ROWS):
        block = np.zeros((1, min(PREDICT_ROWS, len(features) - start), width), dtype=np.float32)
        part = features[start : start + PREDICT_ROWS]
        block[0, :, : part.shape[1]] = part
        pieces.append(forward(weights, tf.constant(block)).numpy()[0].astype(np.float64))
    values = np.concatenate(pieces) if pieces else np.zeros((0, outputs))
    return np.column_stack([1.0 - values[:, 0], values[:, 0]]) if outputs == 1 else values


def _forward_function(hidden_layers: int, binary: bool):
    key = ("forward", hidden_layers, binary)
    if key not in _FUNCTIONS:
        # deferred: TensorFlow loads only when training starts
        import tensorflow as tf

        def forward(parameters, features):
            logits = _logits(parameters, features, hidden_layers)
            return tf.sigmoid(logits) if binary else tf.nn.softmax(logits, axis=-1)

        weights = [
            tf.TensorSpec([None, None, None] if index % 2 == 0 else [None, None], tf.float32)
            for index in range(2 * (hidden_layers + 1))
        ]
        signature = [weights, tf.TensorSpec([None, None, None], tf.float32)]
        _FUNCTIONS[key] = tf.function(forward, input_signature=signature)
    return _FUNCTIONS[key]


# --- the compiled functions -------------------------------------------------------------------------

_FUNCTIONS: dict[tuple, object] = {}


def epoch_function(hidden_units: tuple[int, ...], binary: bool, dropout: float, compiled: bool = False):
    """One epoch for every member in one call: a loop of steps inside a tf.function (one dispatch per epoch),
    then every member scored on its validation rows.

    Inputs with unknown sizes (members, steps, rows, features) are declared as such, so one trace serves
    every stack of this architecture. The traced functions hold no state (no weights, no seeds), so one
    cache serves the process.
    """
    key = ("epoch", tuple(hidden_units), binary, float(dropout), compiled)
    if key not in _FUNCTIONS:
        _FUNCTIONS[key] = _build_epoch_function(tuple(hidden_units), binary, float(dropout), compiled)
    return _FUNCTIONS[key]


def flatten(parameters: list[np.ndarray]) -> np.ndarray:
    """Kernels and biases (each with the member axis first) as one (members, values) array, layer by layer."""
    return np.concatenate([value.reshape(len(value), -1) for value in parameters], axis=1)


def unflatten(flat: np.ndarray, like: list[np.ndarray]) -> None:
    """Write a (members, values) array back into kernels and biases shaped like `like`, in place."""
    start = 0
    for value in like:
        size = int(np.prod(value.shape[1:]))
        value[...] = flat[:, start : start + size].reshape(value.shape)
        start += size


def _unpack(flat, width, outputs, hidden_units: tuple[int, ...]):
    """Kernels and biases as views of the (members, values) tensor Adam updates in one piece."""
    # deferred: TensorFlow loads only when training starts
    import tensorflow as tf

    sizes = [width, *hidden_units, outputs]
    parameters, start = [], 0
    for fan_in, units in zip(sizes[:-1], sizes[1:], strict=True):
        count = fan_in * units
        parameters.append(tf.reshape(flat[:, start : start + count], tf.stack([-1, fan_in, units])))
        start = start + count
        parameters.append(flat[:, start : start + units])
        start = start + units
    return parameters


def _logits(parameters, features, hidden_layers: int, dropout: float = 0.0, noise=None):
    """The MLP on (members, rows, features): ReLU hidden layers with inverted dropout, a linear output.
    `noise` holds one uniform number per (member, row, hidden unit), layer after layer; None: no dropout."""
    # deferred: TensorFlow loads only when training starts
    import tensorflow as tf

    hidden, used = features, 0
    for layer in range(hidden_layers):
        kernel, bias = parameters[2 * layer], parameters[2 * layer + 1]
        hidden = tf.nn.relu(tf.einsum("mbf,mfu->mbu", hidden, kernel) + bias[:, None, :])
        if dropout > 0 and noise is not None:
            units = tf.shape(bias)[1]
            keep = noise[:, :, used : used + units] >= dropout
            hidden = tf.where(keep, hidden / (1.0 - dropout), tf.zeros_like(hidden))
            used = used + units
    kernel, bias = parameters[-2], parameters[-1]
    return tf.einsum("mbf,mfu->mbu", hidden, kernel) + bias[:, None, :]


def _dropout_noise(table, offsets, rows, units):
    """Uniform numbers for dropout, (members, rows, units of all hidden layers): for each member a window of
    its own table of seeded uniforms, starting at an offset drawn from its own stream (so no member's mask
    depends on another's). Reading a window costs a gather; hashing a counter per cell cost more."""
    # deferred: TensorFlow loads only when training starts
    import tensorflow as tf

    cells = tf.range(rows * units, dtype=tf.int64)[None, :]
    positions = tf.math.floormod(offsets[:, None] + cells, DROPOUT_TABLE)
    return tf.reshape(tf.gather(table, positions, batch_dims=1), tf.stack([-1, rows, units]))


def _row_losses(logits, labels, binary: bool, gamma, positive_weight, negative_weight, scale):
    """Focal cross-entropy per row, as Keras' BinaryFocalCrossentropy / CategoricalFocalCrossentropy define
    it (from logits, for stability); gamma = 0 and unit weights give plain cross-entropy."""
    # deferred: TensorFlow loads only when training starts
    import tensorflow as tf

    gamma = gamma[:, None]
    if binary:
        logit = logits[..., 0]
        target = tf.cast(labels, tf.float32)
        entropy = tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=logit)
        probability = tf.sigmoid(logit)
        true_probability = target * probability + (1.0 - target) * (1.0 - probability)
        weighting = target * positive_weight[:, None] + (1.0 - target) * negative_weight[:, None]
    else:
        log_probabilities = tf.nn.log_softmax(logits, axis=-1)
        entropy = -tf.gather(log_probabilities, labels, axis=2, batch_dims=2)
        true_probability = tf.exp(-entropy)
        weighting = scale[:, None]
    focal_factor = tf.pow(tf.maximum(1.0 - true_probability, PROBABILITY_FLOOR), gamma)
    return weighting * focal_factor * entropy


def _build_epoch_function(hidden_units: tuple[int, ...], binary: bool, dropout: float, compiled: bool):
    # deferred: TensorFlow loads only when training starts
    import tensorflow as tf

    hidden_layers = len(hidden_units)

    def epoch(
        flat,
        first_moments,
        second_moments,
        step_counts,
        shape,
        pool_features,
        pool_labels,
        pool_weights,
        indices,
        row_mask,
        step_mask,
        batch_sizes,
        gamma,
        positive_weight,
        negative_weight,
        scale,
        table,
        dropout_offsets,
        learning_rate,
        validation_features,
        validation_rows,
    ):
        width, outputs = shape[0], shape[1]
        loss_sums = tf.zeros_like(step_counts)
        rows = tf.shape(indices, out_type=tf.int64)[2]
        for step in tf.range(tf.shape(indices)[0]):
            batch = indices[step]
            features = tf.gather(pool_features, batch)
            labels = tf.gather(pool_labels, batch)
            weights = tf.gather(pool_weights, batch) * row_mask[step]
            taking = step_mask[step]
            counts = step_counts + tf.cast(taking, tf.float32)
            noise = _dropout_noise(table, dropout_offsets[step], rows, sum(hidden_units)) if dropout > 0 else None
            with tf.GradientTape() as tape:
                tape.watch(flat)
                parameters = _unpack(flat, width, outputs, hidden_units)
                logits = _logits(parameters, features, hidden_layers, dropout, noise)
                losses = _row_losses(logits, labels, binary, gamma, positive_weight, negative_weight, scale)
                member_losses = tf.reduce_sum(weights * losses, axis=1) / batch_sizes
                total = tf.reduce_sum(member_losses)
            gradient = tape.gradient(total, flat)
            # Adam (Keras' update) with each member's own step count and learning rate, on all weights at
            # once; a member not taking this step keeps its weights, moments and count exactly.
            correction = tf.sqrt(1.0 - tf.pow(ADAM_BETA_2, counts)) / (1.0 - tf.pow(ADAM_BETA_1, counts))
            step_size = (learning_rate * correction)[:, None]
            first = first_moments + (gradient - first_moments) * (1.0 - ADAM_BETA_1)
            second = second_moments + (tf.square(gradient) - second_moments) * (1.0 - ADAM_BETA_2)
            moved = flat - step_size * first / (tf.sqrt(second) + ADAM_EPSILON)
            mask = taking[:, None]
            flat = tf.where(mask, moved, flat)
            first_moments = tf.where(mask, first, first_moments)
            second_moments = tf.where(mask, second, second_moments)
            step_counts = counts
            loss_sums = loss_sums + tf.where(taking, member_losses, tf.zeros_like(member_losses))
        parameters = _unpack(flat, width, outputs, hidden_units)
        logits = _logits(parameters, tf.gather(validation_features, validation_rows), hidden_layers)
        probabilities = tf.sigmoid(logits) if binary else tf.nn.softmax(logits, axis=-1)
        return flat, first_moments, second_moments, step_counts, loss_sums, probabilities

    matrix = tf.TensorSpec([None, None], tf.float32)
    vector = tf.TensorSpec([None], tf.float32)
    signature = [
        matrix,  # weights: (members, values)
        matrix,
        matrix,
        vector,  # step counts
        tf.TensorSpec([2], tf.int64),  # input width, outputs
        matrix,  # pooled training rows
        tf.TensorSpec([None], tf.int64),
        vector,
        tf.TensorSpec([None, None, None], tf.int64),  # batches: (steps, members, rows)
        tf.TensorSpec([None, None, None], tf.float32),
        tf.TensorSpec([None, None], tf.bool),
        vector,  # batch sizes
        vector,  # gamma
        vector,
        vector,
        vector,
        matrix,  # dropout tables
        tf.TensorSpec([None, None], tf.int64),  # dropout offsets: (steps, members)
        vector,  # learning rates
        matrix,  # pooled validation rows
        tf.TensorSpec([None, None], tf.int64),  # each member's validation rows, padded
    ]
    # A fixed signature: one trace serves every stack of this architecture, whatever its sizes.
    return tf.function(epoch, input_signature=signature, jit_compile=compiled)

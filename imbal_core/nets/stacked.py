"""Many small networks trained as one: weights with a leading member axis, batched matrix products.

Training these networks is bound by TensorFlow's per-step dispatch, not by arithmetic (bench/RESULTS.md):
a step of a 64-32 MLP costs about the same for one network as for fifty. So the networks of a comparison
(techniques x folds x ensemble members) train together, one compiled function per epoch for all of them.

Each member keeps everything it would have alone: its own training rows, batch size and steps per epoch,
row weights, loss (cross-entropy is focal loss with gamma = 0), batches, initial weights and dropout
stream (from its own seed), Adam moments and step count, early stopping and best weights. Nothing in a
member's arithmetic reads another member's values, so a member's numbers do not depend on what trains
beside it (tests/core/test_stacked.py trains one member alone and in a stack and compares).

Members whose epochs are shorter (fewer rows) sit out the remaining steps of the stack's epoch: a masked
step leaves the member's weights, moments and step count exactly as they were. So members of different
sizes need no common rule for steps; the cost is idle arithmetic, which is cheap here, not dispatch.
A member whose early stopping has fired is masked the same way for the rest of training.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from imbal_core.errors import Cancelled
from imbal_core.nets.model import ModelSettings
from imbal_core.nets.stacked_functions import DROPOUT_TABLE, epoch_function, flatten, member_probabilities, unflatten
from imbal_core.seeds import Role, seed_for

COMPILED_ROWS = 100_000  # every network of a stack on at least this many rows: the epoch is XLA-compiled
StackEpochHook = Callable[[int, int, int], None]  # (epoch, members still training, members)


@dataclass
class Member:
    """One network to train: its rows and everything that shapes its training."""

    features: np.ndarray  # (rows, features) training rows
    labels: np.ndarray  # (rows,) class codes
    row_weights: np.ndarray  # (rows,) loss weight per row (class weights times any row weights)
    bias: np.ndarray  # the output layer's starting bias (the logit offset included, if any)
    seed: int
    validation: np.ndarray  # rows for early stopping, never trained on
    validation_labels: np.ndarray
    predict: list[np.ndarray] = field(default_factory=list)  # rows to score with the best weights
    gamma: float = 0.0  # focal loss' gamma; 0 is cross-entropy
    positive_weight: float = 1.0  # binary focal class balancing: alpha for class 1
    negative_weight: float = 1.0  # and 1 - alpha for class 0
    scale: float = 1.0  # multi-class focal alpha (Keras multiplies every term by it)
    output_offset: np.ndarray | None = None  # taken off the output bias after training
    class_shares: np.ndarray | None = None  # fixed class shares in every batch (None: shuffled rows)
    learning_rate: float | None = None  # None: the settings' learning rate
    steps_per_epoch: int | None = None  # None: one pass over its rows


@dataclass
class MemberResult:
    """A trained member: probabilities on each `predict` array, per-epoch history, and how it ended."""

    predictions: list[np.ndarray]
    validation: np.ndarray
    history: dict[str, list[float]]
    epochs_run: int
    diverged: bool = False


def train_stack(
    members: list[Member],
    n_classes: int,
    settings: ModelSettings,
    on_epoch: StackEpochHook | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[MemberResult]:
    """Train `members` together; results in the same order. Raises Cancelled on a stop request."""
    # deferred: TensorFlow loads only when training starts
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    stack = _Stack(members, n_classes, settings)
    for epoch in range(settings.max_epochs):
        if not stack.active.any():
            break
        stack.run_epoch(epoch)
        if on_epoch is not None:
            on_epoch(epoch, int(stack.active.sum()), len(members))
        if should_stop is not None and should_stop():
            raise Cancelled()
    return stack.results()


# --- the stacked state ------------------------------------------------------------------------------


class _Stack:
    def __init__(self, members: list[Member], n_classes: int, settings: ModelSettings) -> None:
        self.members = members
        self.n_classes = n_classes
        self.settings = settings
        self.outputs = 1 if n_classes == 2 else n_classes
        self.width = max(member.features.shape[1] for member in members)
        self.batch_sizes = np.array([settings.batch_for(len(member.labels)) for member in members])
        self.steps = np.array(
            [
                member.steps_per_epoch or math.ceil(len(member.labels) / size)
                for member, size in zip(members, self.batch_sizes, strict=True)
            ]
        )
        self.streams = [_BatchStream(member, int(size)) for member, size in zip(members, self.batch_sizes, strict=True)]
        self.offsets = np.cumsum([0] + [len(member.labels) for member in members])
        self.parameters = _initial_parameters(members, self.width, settings.hidden_units, self.outputs)
        self.best = [value.copy() for value in self.parameters]
        self.flat = flatten(self.parameters)  # what the compiled epoch updates; `parameters` are views of it
        self.first_moments = np.zeros_like(self.flat)
        self.second_moments = np.zeros_like(self.flat)
        self.step_counts = np.zeros(len(members), dtype=np.float32)
        self.active = np.ones(len(members), dtype=bool)
        self.diverged = np.zeros(len(members), dtype=bool)
        self.history = [{"loss": [], "val_loss": []} for _ in members]
        self.waits = np.zeros(len(members), dtype=int)
        self.monitors = [_monitor(member, n_classes) for member in members]
        self.best_scores = np.array([-np.inf if mode == "max" else np.inf for _, mode in self.monitors])
        self.best_losses = np.full(len(members), np.inf)  # validation loss at the best score: breaks ties
        self._prepare_tensors()

    def _prepare_tensors(self) -> None:
        # deferred: TensorFlow loads only when training starts
        import tensorflow as tf

        pooled = np.zeros((self.offsets[-1], self.width), dtype=np.float32)
        for member, start in zip(self.members, self.offsets[:-1], strict=True):
            pooled[start : start + len(member.labels), : member.features.shape[1]] = member.features
        self.pool_features = tf.constant(pooled)
        self.pool_labels = tf.constant(np.concatenate([member.labels for member in self.members]).astype(np.int64))
        self.pool_weights = tf.constant(
            np.concatenate([member.row_weights for member in self.members]).astype(np.float32)
        )
        self.learning_rates = np.array(
            [self.settings.learning_rate if m.learning_rate is None else m.learning_rate for m in self.members],
            dtype=np.float32,
        )
        self.loss_settings = tuple(
            np.array(values, dtype=np.float32)
            for values in (
                [member.gamma for member in self.members],
                [member.positive_weight for member in self.members],
                [member.negative_weight for member in self.members],
                [member.scale for member in self.members],
            )
        )
        self.table = tf.constant(
            np.stack(
                [
                    np.random.default_rng(seed_for(member.seed, Role.DROPOUT_TABLE)).random(
                        DROPOUT_TABLE, dtype=np.float32
                    )
                    for member in self.members
                ]
            )
        )
        self.dropout_streams = [
            np.random.default_rng(seed_for(member.seed, Role.DROPOUT_OFFSETS)) for member in self.members
        ]
        validations, self.validation_rows = _pooled_validation(self.members, self.width)
        self.validation_pool = tf.constant(validations)
        # Large data: each epoch is thousands of steps of one or few networks, where XLA's fused kernels
        # cost a quarter of the per-step time; it compiles per shape, so the stack then keeps its shape
        # (no members are dropped from the computation, a stopped one only sits out its steps).
        self.compiled = min(len(member.labels) for member in self.members) >= COMPILED_ROWS
        self.train_epoch = epoch_function(
            self.settings.hidden_units, self.n_classes == 2, self.settings.dropout, self.compiled
        )

    def run_epoch(self, epoch: int) -> None:
        """One epoch for the members still training; only they are computed (the others keep their state)."""
        # deferred: TensorFlow loads only when training starts
        import tensorflow as tf

        chosen = np.arange(len(self.members)) if self.compiled else np.flatnonzero(self.active)
        indices, row_mask, step_mask, offsets = (part[:, chosen] for part in self._epoch_batches())
        state = self.train_epoch(
            tf.constant(self.flat[chosen]),
            tf.constant(self.first_moments[chosen]),
            tf.constant(self.second_moments[chosen]),
            tf.constant(self.step_counts[chosen]),
            tf.constant([self.width, self.outputs], dtype=tf.int64),
            self.pool_features,
            self.pool_labels,
            self.pool_weights,
            tf.constant(indices),
            tf.constant(row_mask),
            tf.constant(step_mask),
            tf.constant(self.batch_sizes[chosen].astype(np.float32)),
            *(tf.constant(values[chosen]) for values in self.loss_settings),
            tf.gather(self.table, chosen),
            tf.constant(offsets),
            tf.constant(self.learning_rates[chosen]),
            self.validation_pool,
            tf.constant(self.validation_rows[chosen]),
        )
        flat, first, second, counts, member_losses, probabilities = (value.numpy() for value in state)
        self.flat[chosen], self.first_moments[chosen], self.second_moments[chosen] = flat, first, second
        unflatten(self.flat, self.parameters)
        self.step_counts[chosen] = counts
        loss_sums = np.zeros(len(self.members))
        loss_sums[chosen] = member_losses
        validation: list[np.ndarray | None] = [None] * len(self.members)
        for slot, position in enumerate(chosen):
            scores = probabilities[slot, : len(self.members[position].validation_labels)].astype(np.float64)
            validation[position] = np.column_stack([1.0 - scores[:, 0], scores[:, 0]]) if self.outputs == 1 else scores
        self._after_epoch(loss_sums, validation)

    def _epoch_batches(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row positions in the pool (steps, members, batch), which rows are real, which steps each member
        takes, and where each member's dropout windows start."""
        steps, batch = int(self.steps[self.active].max()), int(self.batch_sizes.max())
        indices = np.zeros((steps, len(self.members), batch), dtype=np.int64)
        row_mask = np.zeros((steps, len(self.members), batch), dtype=np.float32)
        step_mask = np.zeros((steps, len(self.members)), dtype=bool)
        offsets = np.zeros((steps, len(self.members)), dtype=np.int64)
        for position, stream in enumerate(self.streams):
            if not self.active[position]:
                continue
            own_steps, own_batch = int(self.steps[position]), int(self.batch_sizes[position])
            indices[:own_steps, position, :own_batch] = stream.epoch(own_steps) + self.offsets[position]
            row_mask[:own_steps, position, :own_batch] = 1.0
            step_mask[:own_steps, position] = True
            offsets[:own_steps, position] = self.dropout_streams[position].integers(0, DROPOUT_TABLE, own_steps)
        return indices, row_mask, step_mask, offsets

    def _after_epoch(self, loss_sums: np.ndarray, validation: list) -> None:
        """Per member: record the epoch and its validation scores, early stopping and best weights."""
        for position, member in enumerate(self.members):
            if not self.active[position]:
                continue
            loss = float(loss_sums[position] / self.steps[position])
            history = self.history[position]
            history["loss"].append(loss)
            probabilities = validation[position]
            history["val_loss"].append(log_loss(member.validation_labels, probabilities))
            if self.n_classes == 2:
                history.setdefault("val_pr_auc", []).append(
                    average_precision(member.validation_labels, probabilities[:, 1])
                    if np.isfinite(probabilities).all()
                    else 0.0
                )
            if not math.isfinite(loss):
                self.diverged[position] = True
                self.active[position] = False
                continue
            self._early_stopping(position)

    def _early_stopping(self, position: int) -> None:
        """Keras' EarlyStopping rule (strictly better than the best so far, else wait; stop after `patience`),
        with ties on PR-AUC broken by the validation loss: see `improved`."""
        name, mode = self.monitors[position]
        history = self.history[position]
        score, loss = history[name][-1], history["val_loss"][-1]
        if improved(score, loss, self.best_scores[position], self.best_losses[position], mode):
            self.best_scores[position] = score
            self.best_losses[position] = loss
            self.waits[position] = 0
            for best, current in zip(self.best, self.parameters, strict=True):
                best[position] = current[position]
            return
        self.waits[position] += 1
        if self.waits[position] >= self.settings.patience:
            self.active[position] = False

    def probabilities(self, arrays: list[np.ndarray], which: np.ndarray, parameters=None) -> list[np.ndarray | None]:
        """Each chosen member's class probabilities on its own array (None for members not chosen).

        Scored member by member: a member's scores must not depend on its neighbours."""
        parameters = self.parameters if parameters is None else parameters
        found: list[np.ndarray | None] = [None] * len(self.members)
        for position in np.flatnonzero(which):
            own = [value[position] for value in parameters]
            found[position] = member_probabilities(own, arrays[position], self.outputs)
        return found

    def results(self) -> list[MemberResult]:
        """Every member with its best weights (the output offset taken off), scored on its arrays."""
        best = [value.copy() for value in self.best]
        for position, member in enumerate(self.members):
            if member.output_offset is not None:
                best[-1][position] -= np.asarray(member.output_offset, dtype=np.float32)
        everyone = np.ones(len(self.members), dtype=bool)
        validation = self.probabilities([member.validation for member in self.members], everyone, best)
        empty = np.zeros((0, 1), dtype=np.float32)
        predictions = [
            self.probabilities(
                [member.predict[index] if index < len(member.predict) else empty for member in self.members],
                everyone,
                best,
            )
            for index in range(max(len(member.predict) for member in self.members))
        ]
        return [
            MemberResult(
                [predicted[position] for predicted in predictions[: len(self.members[position].predict)]],
                validation[position],
                self.history[position],
                len(self.history[position]["loss"]),
                bool(self.diverged[position]),
            )
            for position in range(len(self.members))
        ]


def _pooled_validation(members: list[Member], width: int) -> tuple[np.ndarray, np.ndarray]:
    """Every distinct validation array once (members of a fold share theirs), padded to `width`, and
    each member's row positions in it, padded with row 0 to the longest."""
    starts: dict[int, int] = {}
    arrays = []
    total = 0
    for member in members:
        if id(member.validation) not in starts:
            starts[id(member.validation)] = total
            arrays.append(member.validation)
            total += len(member.validation)
    pooled = np.zeros((max(total, 1), width), dtype=np.float32)
    for array, start in zip(arrays, starts.values(), strict=True):
        pooled[start : start + len(array), : array.shape[1]] = array
    longest = max(len(member.validation) for member in members)
    rows = np.zeros((len(members), longest), dtype=np.int64)
    for position, member in enumerate(members):
        rows[position, : len(member.validation)] = starts[id(member.validation)] + np.arange(len(member.validation))
    return pooled, rows


def improved(score: float, loss: float, best_score: float, best_loss: float, mode: str) -> bool:
    """Whether an epoch beats the best so far: a better score, or (PR-AUC) the same score at a lower loss.

    On a small table the validation slice holds one to five rare rows, so PR-AUC takes a few coarse values
    and often reaches 1.0 in the first epoch; with a strict "greater" rule every later epoch ties, early
    stopping ends training `patience` epochs later and restores the first epoch's barely trained weights
    (bench/RESULTS.md section 15). A tie is then decided by the validation loss, which keeps moving."""
    if mode == "min":
        return score < best_score
    return score > best_score or (score == best_score and loss < best_loss)


def _monitor(member: Member, n_classes: int) -> tuple[str, str]:
    """PR-AUC needs both classes in the validation slice; without a minority row, watch the loss instead."""
    labels = member.validation_labels
    if n_classes == 2 and 0 < labels.sum() < len(labels):
        return "val_pr_auc", "max"
    return "val_loss", "min"


# --- batches ----------------------------------------------------------------------------------------


def rows_per_batch(class_shares: np.ndarray, batch: int) -> np.ndarray:
    """Rows of each class in a batch of `batch`: the shares rounded by largest remainder, at least one row
    for every class with a positive share (so a very rare class is never left out of a batch)."""
    shares = np.asarray(class_shares, dtype=float)
    exact = shares * batch
    counts = np.floor(exact).astype(int)
    counts[(shares > 0) & (counts == 0)] = 1
    order = np.argsort(-(exact - np.floor(exact)), kind="stable")
    for code in order:
        if counts.sum() >= batch:
            break
        if shares[code] > 0:
            counts[code] += 1
    while counts.sum() > batch:  # the minimum of one row took more than the rounding left
        largest = int(np.argmax(counts))
        counts[largest] -= 1
    return counts


class _BatchStream:
    """A member's endless supply of batches: its rows reshuffled on every pass (each class on its own with
    fixed class shares), seeded from the member's seed only (imbal_core.seeds roles)."""

    def __init__(self, member: Member, batch: int) -> None:
        self.batch = batch
        if member.class_shares is None:
            self.parts = [_Shuffled(np.arange(len(member.labels)), seed_for(member.seed, Role.SHUFFLE))]
            self.counts = [batch]
        else:
            counts = rows_per_batch(member.class_shares, batch)
            self.parts, self.counts = [], []
            for code, count in enumerate(counts):
                if count > 0:
                    rows = np.flatnonzero(member.labels == code)
                    self.parts.append(_Shuffled(rows, seed_for(member.seed, Role.CLASS_STREAM, code)))
                    self.counts.append(int(count))

    def epoch(self, steps: int) -> np.ndarray:
        """(steps, batch) row positions within the member's rows."""
        columns = [
            part.take(steps * count).reshape(steps, count) for part, count in zip(self.parts, self.counts, strict=True)
        ]
        return np.concatenate(columns, axis=1)


class _Shuffled:
    """Rows in a fresh seeded order on every pass; `take` continues where the last call stopped."""

    def __init__(self, rows: np.ndarray, seed: int) -> None:
        self.rows = rows
        self.random = np.random.default_rng(seed)
        self.order = self.random.permutation(rows)
        self.position = 0

    def take(self, count: int) -> np.ndarray:
        taken = []
        while count > 0:
            if self.position == len(self.order):
                self.order, self.position = self.random.permutation(self.rows), 0
            piece = self.order[self.position : self.position + count]
            taken.append(piece)
            self.position += len(piece)
            count -= len(piece)
        return np.concatenate(taken) if taken else np.zeros(0, dtype=np.int64)


# --- initial weights --------------------------------------------------------------------------------


def _initial_parameters(
    members: list[Member], width: int, hidden_units: tuple[int, ...], outputs: int
) -> list[np.ndarray]:
    """Kernels and biases with a leading member axis: Glorot-uniform kernels from each member's own seed
    and real input width (padding columns get zeros and, with zero inputs, never a gradient)."""
    sizes = [*hidden_units, outputs]
    parameters = []
    for layer, units in enumerate(sizes):
        fan_in = width if layer == 0 else sizes[layer - 1]
        kernels = np.zeros((len(members), fan_in, units), dtype=np.float32)
        biases = np.zeros((len(members), units), dtype=np.float32)
        for position, member in enumerate(members):
            own_fan_in = member.features.shape[1] if layer == 0 else fan_in
            limit = math.sqrt(6.0 / (own_fan_in + units))
            random = np.random.default_rng(seed_for(member.seed, Role.KERNEL, layer))
            kernels[position, :own_fan_in] = random.uniform(-limit, limit, (own_fan_in, units))
            if layer == len(sizes) - 1:
                biases[position] = np.asarray(member.bias, dtype=np.float32)
        parameters += [kernels, biases]
    return parameters


# --- validation scores, vectorised ------------------------------------------------------------------


def average_precision(labels: np.ndarray, scores: np.ndarray) -> float:
    """scikit-learn's average_precision_score for binary labels (ties grouped the same way), without its
    per-call overhead: this runs for every member after every epoch."""
    labels = np.asarray(labels)
    positives = labels.sum()
    if positives == 0:
        return 0.0
    order = np.argsort(-scores, kind="mergesort")
    sorted_scores, sorted_labels = scores[order], labels[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(sorted_scores)), len(sorted_scores) - 1]
    true_positives = np.cumsum(sorted_labels)[last_of_tie]
    predicted = last_of_tie + 1
    precision = true_positives / predicted
    recall = true_positives / positives
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def log_loss(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Mean cross-entropy of the true class (scikit-learn's log_loss, clipped the same way)."""
    if not np.isfinite(probabilities).all():
        return math.nan
    probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
    true = probabilities[np.arange(len(labels)), labels]
    return float(-np.mean(np.log(np.clip(true, np.finfo(np.float64).eps, 1.0))))

"""Fit one network on one fold's training rows: early stopping, best weights restored, progress hooks."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from imbal_core.model import ModelSettings, build_loss, create_autoencoder_model, create_mlp_model, output_bias
from imbal_core.seeds import Role, seed_for
from imbal_core.stages.base import FittedNetwork, NetworkPlan

EpochHook = Callable[[int, dict], None]
StopCheck = Callable[[], bool]
PREDICT_CHUNK = 65536
STEPS_PER_EXECUTION = 32


@dataclass
class TrainedNetwork:
    """A fitted model with its per-epoch history and why training ended."""

    model: object
    history: dict[str, list[float]] = field(default_factory=dict)
    epochs_run: int = 0
    diverged: bool = False
    cancelled: bool = False

    def predict(self, features: np.ndarray) -> np.ndarray:
        return predict_probabilities(self.model, features)


def _configure_tensorflow() -> None:
    import tensorflow as tf

    # Same seed, same numbers: forbid nondeterministic kernels (the cost on CPU is negligible here).
    tf.config.experimental.enable_op_determinism()


def _callbacks(
    settings: ModelSettings,
    validation: tuple,
    n_classes: int,
    on_epoch: EpochHook | None,
    should_stop: StopCheck | None,
):
    import keras
    from sklearn.metrics import average_precision_score

    from imbal_core.stacked import improved

    validation_features = validation[0]
    validation_labels = validation[1]
    has_both_classes = n_classes == 2 and 0 < validation_labels.sum() < len(validation_labels)

    class Hooks(keras.callbacks.Callback):
        """Scores the validation slice, reports each epoch, stops on request or on a NaN loss.

        Scoring here with one forward pass replaces Keras' compiled validation and AUC metric, which
        cost more per epoch than the training steps themselves on small folds (see bench/RESULTS.md).
        """

        def __init__(self) -> None:
            super().__init__()
            self.diverged = False
            self.cancelled = False

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            logs = logs if logs is not None else {}
            # predict_on_batch runs the model's compiled predict function; an eager call costs 5x more.
            probabilities = self.model.predict_on_batch(validation_features)
            logs["val_loss"] = validation_log_loss(validation_labels, probabilities)
            if n_classes == 2:
                positive = probabilities[:, 0]
                finite = np.isfinite(positive).all()
                score = average_precision_score(validation_labels, positive) if has_both_classes and finite else 0.0
                logs["val_pr_auc"] = float(score)
            if not math.isfinite(float(logs.get("loss", 0.0))):
                self.diverged = True
                self.model.stop_training = True
            if on_epoch is not None:
                on_epoch(epoch, logs)
            if should_stop is not None and should_stop():
                self.cancelled = True
                self.model.stop_training = True

    class TieBreakingStopping(keras.callbacks.EarlyStopping):
        """Keras' EarlyStopping with the stacked trainer's rule (imbal_core.stacked.improved): a PR-AUC tie
        at a lower validation loss is progress, so a saturated small validation slice does not end training."""

        best_loss = math.inf
        epoch_loss = math.inf

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            self.epoch_loss = float((logs or {}).get("val_loss", math.inf))
            super().on_epoch_end(epoch, logs)

        def _is_improvement(self, monitor_value, reference_value) -> bool:  # Keras 3's comparison hook
            if reference_value is None:  # the first epoch
                better = True
            else:
                better = improved(float(monitor_value), self.epoch_loss, float(reference_value), self.best_loss, mode)
            if better:
                self.best_loss = self.epoch_loss
            return better

    # PR-AUC needs both classes in the validation slice; without a minority row, watch the loss instead.
    monitor, mode = ("val_pr_auc", "max") if has_both_classes else ("val_loss", "min")
    early_stopping = TieBreakingStopping(
        monitor=monitor, mode=mode, patience=settings.patience, restore_best_weights=True
    )
    return Hooks(), [early_stopping]


def fit_network(
    features: np.ndarray,
    labels: np.ndarray,
    validation_features: np.ndarray,
    validation_labels: np.ndarray,
    n_classes: int,
    settings: ModelSettings,
    seed: int,
    focal: dict | None = None,
    class_weight: dict[int, float] | None = None,
    on_epoch: EpochHook | None = None,
    should_stop: StopCheck | None = None,
    *,
    row_weights: np.ndarray | None = None,
    output_offset: np.ndarray | None = None,
    class_shares: np.ndarray | None = None,
) -> TrainedNetwork:
    """Train a fresh MLP; `focal` holds gamma/alpha/balance_classes when focal loss is used.

    row_weights: per-row loss weights, multiplied with `class_weight` (boosting).
    output_offset: the logit-adjusted loss (Menon et al. 2021), cross-entropy on f(x) + offset. The output
        bias is a free parameter, so training f with that loss is exactly training g = f + offset with
        plain cross-entropy from a bias raised by `offset` (the same gradients, step for step, under Adam:
        g's bias is f's bias plus a constant). So the bias starts `offset` higher, the same compiled model
        trains with Keras' own stable cross-entropy, and the offset is taken off the bias before predicting.
        tests/test_core_stages.py checks a training step against the loss written out.
    class_shares: draw every batch with these class shares (tf.data sampling); the rows are unchanged.
        The output bias then starts at the log-odds of the shares, the class ratio the network sees.
    """
    import keras

    _configure_tensorflow()
    # TensorFlow combines each op seed (the shuffle's) with the global seed; a reused compiled model
    # keeps whatever global seed the last build left, so set it here for every fit.
    keras.utils.set_random_seed(seed)
    targets = _targets(labels, n_classes, one_hot=n_classes > 2 and focal is not None)
    bias = output_bias(labels, n_classes) if class_shares is None else shares_bias(class_shares, n_classes)
    if output_offset is not None:
        bias = bias + np.asarray(output_offset, dtype=float)
    from imbal_core.engine import trainer  # the process's trainer owns the compiled models

    model = trainer().models.prepared(features.shape[1], n_classes, settings, focal, seed, bias)
    validation = (validation_features.astype(np.float32), validation_labels)
    hooks, callbacks = _callbacks(settings, validation, n_classes, on_epoch, should_stop)
    weights = _row_weights(labels, class_weight)
    if row_weights is not None:
        weights = weights * np.asarray(row_weights, dtype=np.float32)
    dataset, steps = _training_dataset(features, targets, weights, settings, seed, class_shares, labels)
    history = model.fit(
        dataset,
        epochs=settings.max_epochs,
        steps_per_epoch=steps,
        callbacks=[hooks, *callbacks],
        shuffle=False,  # the dataset shuffles itself, seeded
        verbose=0,
    )
    if output_offset is not None:
        output = model.get_layer("probability").bias
        output.assign(output.numpy() - np.asarray(output_offset, dtype=np.float32))
    return TrainedNetwork(
        model=model,
        history={name: [float(value) for value in values] for name, values in history.history.items()},
        epochs_run=len(history.history.get("loss", [])),
        diverged=hooks.diverged,
        cancelled=hooks.cancelled,
    )


def validation_log_loss(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Plain cross-entropy on the validation rows (scikit-learn's log_loss), whatever loss the technique
    trains with, so every technique's validation curve is on one scale (a focal or weighted loss is not)."""
    from sklearn.metrics import log_loss

    probabilities = np.asarray(probabilities, dtype=np.float64)
    if not np.isfinite(probabilities).all():  # a diverged network: the hooks stop training on the NaN loss
        return math.nan
    if probabilities.shape[1] == 1:
        probabilities = np.column_stack([1.0 - probabilities[:, 0], probabilities[:, 0]])
    if not np.isfinite(probabilities).all():
        return float("nan")  # a diverged network; the NaN check on the training loss reports it
    probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)  # float32 softmax rounding
    return float(log_loss(labels, probabilities, labels=list(range(probabilities.shape[1]))))


def _row_weights(labels: np.ndarray, class_weight: dict[int, float] | None) -> np.ndarray:
    """Per-row loss weights from class weights (all ones without them).

    Every technique feeds (features, target, weight), so one compiled train function serves them all:
    Keras' class_weight argument would change the function's signature and cost a second retrace.
    Keras turns class_weight into these same per-row weights, and with all-ones weights its mean loss
    is the unweighted loss.
    """
    if class_weight is None:
        return np.ones(len(labels), dtype=np.float32)
    lookup = np.array([class_weight.get(code, 1.0) for code in range(int(labels.max()) + 1)], dtype=np.float32)
    return lookup[labels]


def _training_dataset(
    features: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray,
    settings: ModelSettings,
    seed: int,
    class_shares: np.ndarray | None = None,
    labels: np.ndarray | None = None,
):
    """An in-memory tf.data pipeline: about 3x less per-epoch overhead than passing NumPy arrays to fit.

    Returns (dataset, steps per epoch); steps is None when each epoch is one pass over the rows.
    With `class_shares`, every batch holds a fixed number of rows of each class (`rows_per_batch`): each
    class is its own shuffled, repeating stream, batched to its count, and the streams are zipped and
    joined batch by batch, so the shares hold in every batch, not only on average. An epoch is as many
    batches as one pass over the rows would be. (Drawing row by row with `sample_from_datasets` gave the
    same shares on average at 3x the time per epoch on the fraud sample: tf.data's per-element cost.)
    """
    import tensorflow as tf

    batch = settings.batch_for(len(targets))
    features = features.astype(np.float32)
    if class_shares is None:
        dataset = (
            tf.data.Dataset.from_tensor_slices((features, targets, weights))
            .cache()
            .shuffle(len(targets), seed=seed_for(seed, Role.SHUFFLE), reshuffle_each_iteration=True)
            .batch(batch)
            .prefetch(2)
        )
        return dataset, None
    streams = []
    for code, count in enumerate(rows_per_batch(class_shares, batch)):
        if count == 0:
            continue
        rows = labels == code
        streams.append(
            tf.data.Dataset.from_tensor_slices((features[rows], targets[rows], weights[rows]))
            .cache()
            .shuffle(int(rows.sum()), seed=seed_for(seed, Role.CLASS_STREAM, code), reshuffle_each_iteration=True)
            .repeat()
            .batch(count)
        )

    def join(*parts):
        return tuple(tf.concat([part[index] for part in parts], axis=0) for index in range(3))

    mixed = tf.data.Dataset.zip(tuple(streams)).map(join)
    return mixed.prefetch(2), math.ceil(len(targets) / batch)


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


def training_batches(
    features: np.ndarray, labels: np.ndarray, settings: ModelSettings, seed: int, class_shares: np.ndarray | None
):
    """The batches one epoch of training would draw (labels only), for the batch stage's checks."""
    dataset, steps = _training_dataset(
        features, labels.astype(np.float32), np.ones(len(labels), np.float32), settings, seed, class_shares, labels
    )
    if steps is not None:
        dataset = dataset.take(steps)
    return [batch[1].numpy().astype(int) for batch in dataset]


def shares_bias(class_shares: np.ndarray, n_classes: int) -> np.ndarray:
    """Initial output bias for batches drawn at `class_shares` (as output_bias does for counts)."""
    shares = np.asarray(class_shares, dtype=float) + 1e-6
    if n_classes == 2:
        return np.array([np.log(shares[1] / shares[0])])
    return np.log(shares / shares.sum())


class CompiledModels:
    """Reuses compiled models across fits: tracing a new model's train function costs about a second,
    often more than the training itself. Before each fit every variable (weights, dropout seed state,
    optimiser moments) is reset to what a fresh model with that seed would hold, so a reused model
    trains exactly like a fresh one. Starting values are kept per seed, so the techniques of one fold
    share them without building a model each."""

    def __init__(self, capacity: int = 6, starts_capacity: int = 64) -> None:
        self.capacity = capacity
        self.starts_capacity = starts_capacity
        self.models: dict[tuple, object] = {}
        self.starts: dict[tuple, list[np.ndarray]] = {}

    def prepared(
        self, n_features: int, n_classes: int, settings: ModelSettings, focal: dict | None, seed: int, bias: np.ndarray
    ):
        def fresh_model():
            loss = _loss(n_classes, focal)
            if settings.image_shape is not None:  # images: the CNN body on the flattened pixels
                from imbal_core.cnn import create_cnn_model

                return create_cnn_model(
                    settings.image_shape, n_classes, settings, bias, loss, seed, STEPS_PER_EXECUTION, flat_input=True
                )
            return create_mlp_model(n_features, n_classes, settings, bias, loss, seed, STEPS_PER_EXECUTION)

        key = (n_features, n_classes, settings, tuple(sorted((focal or {}).items())))
        start_key = (n_features, n_classes, settings.hidden_units, settings.dropout, settings.image_shape, seed)
        model = self.models.get(key)
        if model is None:
            model = fresh_model()
            self._remember(self.models, key, model, self.capacity)
            self._remember(self.starts, start_key, [v.numpy() for v in model.variables], self.starts_capacity)
            return model
        values = self.starts.get(start_key)
        if values is None:
            values = [v.numpy() for v in fresh_model().variables]
            self._remember(self.starts, start_key, values, self.starts_capacity)
        for variable, value in zip(model.variables, values, strict=True):
            variable.assign(value)
        model.get_layer("probability").bias.assign(np.asarray(bias, dtype=np.float32))
        for variable in model.optimizer.variables:
            if "learning_rate" not in variable.path:
                variable.assign(np.zeros(variable.shape, dtype=variable.dtype))
        return model

    @staticmethod
    def _remember(store: dict, key: tuple, value, capacity: int) -> None:
        if len(store) >= capacity:
            store.pop(next(iter(store)))
        store[key] = value


def _loss(n_classes: int, focal: dict | None):
    return build_loss(n_classes, focal is not None, **(focal or {}))


def _targets(labels: np.ndarray, n_classes: int, one_hot: bool) -> np.ndarray:
    if one_hot:
        return np.eye(n_classes, dtype=np.float32)[labels]
    return labels.astype(np.float32 if n_classes == 2 else np.int64)


def predict_probabilities(model, features: np.ndarray) -> np.ndarray:
    """Class probabilities as an (n, n_classes) array, through the compiled predict function in large chunks."""
    features = features.astype(np.float32)
    chunks = [
        model.predict_on_batch(features[start : start + PREDICT_CHUNK])
        for start in range(0, len(features), PREDICT_CHUNK)
    ]
    probabilities = np.concatenate(chunks).astype(np.float64)
    if probabilities.shape[1] == 1:
        positive = probabilities[:, 0]
        probabilities = np.column_stack([1.0 - positive, positive])
    return probabilities


class NetworkTrainer:
    """Trains the networks that members stages plan (imbal_core.stages.NetworkPlan).

    It owns what one technique on one fold shares: the validation and test rows, the settings, the
    progress and stop hooks. Tables' MLPs train stacked (imbal_core.stacked): `fit_all` trains a list of
    plans together, and a comparison hands the plans of all its techniques and folds to one
    StackedNetworks at once. Images' CNNs train one Keras model at a time.
    `memo` (one dict per fold) remembers networks already trained in the fold: a plan identical to an
    earlier one (same rows, weights, loss, batches and seed) gives the same network, so it is not trained
    twice (e.g. post-hoc logit adjustment beside the baseline).
    """

    def __init__(
        self,
        validation: np.ndarray,
        validation_labels: np.ndarray,
        test: np.ndarray,
        n_classes: int,
        settings: ModelSettings,
        on_epoch: EpochHook | None = None,
        should_stop: StopCheck | None = None,
        memo: dict | None = None,
        reference_rows: int | None = None,
    ) -> None:
        self.reference_rows = reference_rows
        self.validation = validation
        self.validation_labels = validation_labels
        self.test = test
        self.n_classes = n_classes
        self.settings = settings
        self.on_epoch = on_epoch
        self.should_stop = should_stop
        self.memo = memo

    @property
    def stacks(self) -> bool:
        """True when this trainer's networks train stacked (tables' MLPs; a CNN trains on its own)."""
        return self.settings.image_shape is None

    def fit(self, plan: NetworkPlan, also_predict: np.ndarray | None = None) -> FittedNetwork:
        """Train `plan`'s network; raise Cancelled on a stop request, FloatingPointError on a NaN loss."""
        if not self.stacks:
            return self._fit_alone(plan, also_predict)
        if also_predict is None:
            return self.fit_all([plan])[0]
        stack = StackedNetworks(self.n_classes, self.settings)
        ticket = stack.add(self, [plan], also_predict)
        stack.train(self._stack_epoch_hook(), self.should_stop)
        return stack.networks(ticket)[0]

    def fit_all(self, plans: list[NetworkPlan]) -> list[FittedNetwork]:
        """Independent networks (bagging members), trained together; in order. A plan this fold has
        trained before (the memo) is answered from memory."""
        if not self.stacks:
            return [self._fit_alone(plan) for plan in plans]
        keys = [self._key(plan) if self.memo is not None else None for plan in plans]
        new = [index for index, key in enumerate(keys) if key is None or key not in self.memo]
        trained = {}
        if new:
            stack = StackedNetworks(self.n_classes, self.settings)
            ticket = stack.add(self, [plans[index] for index in new])
            stack.train(self._stack_epoch_hook(), self.should_stop)
            trained = dict(zip(new, stack.networks(ticket), strict=True))
        fitted = []
        for index, key in enumerate(keys):
            network = trained.get(index) or self.memo[key]
            if index in trained and key is not None:
                self.memo[key] = network
            seconds = network.train_seconds if index in trained else 0.0  # remembered: no time spent
            fitted.append(FittedNetwork(network.validation.copy(), network.test.copy(), dict(network.history), seconds))
        return fitted

    def _stack_epoch_hook(self):
        if self.on_epoch is None:
            return None
        return lambda epoch, training, networks: self.on_epoch(epoch, {"training": training, "networks": networks})

    def _fit_alone(self, plan: NetworkPlan, also_predict: np.ndarray | None = None) -> FittedNetwork:
        key = self._key(plan) if also_predict is None and self.memo is not None else None
        if key is not None and key in self.memo:
            known = self.memo[key]
            return FittedNetwork(known.validation.copy(), known.test.copy(), dict(known.history), 0.0)
        started = time.perf_counter()
        network = fit_network(
            plan.features,
            plan.labels,
            self.validation,
            self.validation_labels,
            self.n_classes,
            self.settings,
            plan.seed,
            focal=plan.loss.focal,
            class_weight=plan.class_weight,
            on_epoch=self.on_epoch,
            should_stop=self.should_stop,
            row_weights=plan.row_weights,
            output_offset=plan.loss.output_offset,
            class_shares=plan.batches.class_shares,
        )
        seconds = time.perf_counter() - started
        _raise_if_stopped(network.cancelled, network.diverged)
        fitted = FittedNetwork(
            network.predict(self.validation),
            network.predict(self.test),
            network.history,
            seconds,
            network.predict(also_predict) if also_predict is not None else None,
        )
        if key is not None:
            self.memo[key] = FittedNetwork(fitted.validation.copy(), fitted.test.copy(), dict(fitted.history), 0.0)
        return fitted

    def member(self, plan: NetworkPlan, also_predict: np.ndarray | None = None):
        """The plan as a member of a stack (imbal_core.stacked.Member), scored on this fold's rows."""
        from imbal_core.stacked import Member

        focal = plan.loss.focal or {}
        gamma = float(focal.get("gamma", 0.0)) if plan.loss.focal is not None else 0.0
        alpha = float(focal.get("alpha", 0.25))
        binary_balance = plan.loss.focal is not None and self.n_classes == 2 and focal.get("balance_classes", False)
        bias = (
            output_bias(plan.labels, self.n_classes)
            if plan.batches.class_shares is None
            else shares_bias(plan.batches.class_shares, self.n_classes)
        )
        if plan.loss.output_offset is not None:
            bias = bias + np.asarray(plan.loss.output_offset, dtype=float)
        weights = _row_weights(plan.labels, plan.class_weight)
        if plan.row_weights is not None:
            weights = weights * np.asarray(plan.row_weights, dtype=np.float32)
        return Member(
            features=np.asarray(plan.features, dtype=np.float32),
            labels=np.asarray(plan.labels),
            row_weights=weights,
            bias=bias,
            seed=plan.seed,
            validation=np.asarray(self.validation, dtype=np.float32),
            validation_labels=np.asarray(self.validation_labels),
            predict=[self.test] + ([also_predict] if also_predict is not None else []),
            gamma=gamma,
            positive_weight=alpha if binary_balance else 1.0,
            negative_weight=1.0 - alpha if binary_balance else 1.0,
            scale=alpha if plan.loss.focal is not None and self.n_classes > 2 else 1.0,
            output_offset=plan.loss.output_offset,
            class_shares=plan.batches.class_shares,
            steps_per_epoch=self._steps_per_epoch(len(plan.labels)),
        )

    def _steps_per_epoch(self, rows: int) -> int | None:
        """At most the steps one pass over the fold's training rows (as read, before resampling) takes: an
        oversampled network's epoch covers part of its rows, so the fold's stack is not held to its longer
        pass; a network on fewer rows (undersampling) keeps its own one pass (several passes per epoch
        let it overfit before early stopping looks). See imbal_core.stacked."""
        own = math.ceil(rows / self.settings.batch_for(rows))
        if self.reference_rows is None:
            return own
        return min(own, math.ceil(self.reference_rows / self.settings.batch_for(self.reference_rows)))

    def _key(self, plan: NetworkPlan) -> str:
        digest = hashlib.blake2b(digest_size=20)
        for array in (plan.features, plan.labels, plan.row_weights, plan.loss.output_offset, plan.batches.class_shares):
            digest.update(b"-" if array is None else np.ascontiguousarray(array).tobytes())
        described = (
            plan.features.shape,
            plan.seed,
            sorted((plan.class_weight or {}).items()),
            sorted((plan.loss.focal or {}).items()),
            self.settings,
        )
        digest.update(repr(described).encode())
        return digest.hexdigest()


class StackedNetworks:
    """Collects network plans from many techniques and folds, trains them as one stack, hands each caller
    its networks back. Identical plans of one fold (same memo) are trained once."""

    def __init__(self, n_classes: int, settings: ModelSettings) -> None:
        self.n_classes = n_classes
        self.settings = settings
        self.members: list = []
        self.tickets: list[list[int]] = []
        self.known: dict[tuple, int] = {}
        self.results: list | None = None
        self.seconds = 0.0

    def add(self, trainer: NetworkTrainer, plans: list[NetworkPlan], also_predict: np.ndarray | None = None) -> int:
        """Queue `plans` (trained on `trainer`'s fold); returns a ticket for `networks`.

        With `settings.seed_average` above 1, each plan trains that many networks, the first from the plan's
        seed and the others from seeds derived from it, and hands back their averaged probabilities."""
        groups = []
        for plan in plans:
            key = None
            if trainer.memo is not None and also_predict is None:
                key = (id(trainer.memo), trainer._key(plan))
            if key is not None and key in self.known:
                groups.append(self.known[key])
                continue
            group = []
            for copy in range(max(1, self.settings.seed_average)):
                seed = plan.seed if copy == 0 else seed_for(plan.seed, Role.SEED_AVERAGE, copy)
                self.members.append(trainer.member(replace(plan, seed=seed), also_predict))
                group.append(len(self.members) - 1)
            groups.append(group)
            if key is not None:
                self.known[key] = group
        self.tickets.append(groups)
        return len(self.tickets) - 1

    def train(self, on_epoch=None, should_stop: StopCheck | None = None) -> None:
        """Train every queued network; raises Cancelled on a stop request."""
        from imbal_core import stacked
        from imbal_core.results import Cancelled

        started = time.perf_counter()
        try:
            self.results = stacked.train_stack(self.members, self.n_classes, self.settings, on_epoch, should_stop)
        except stacked.Cancelled as error:
            raise Cancelled() from error
        self.seconds = time.perf_counter() - started

    def networks(self, ticket: int) -> list[FittedNetwork]:
        """The trained networks of one `add`, in order; raises FloatingPointError if one diverged."""
        if self.results is None:
            raise RuntimeError("StackedNetworks.networks() was called before train().")
        work = [
            result.epochs_run * len(member.labels) for result, member in zip(self.results, self.members, strict=True)
        ]
        total = max(sum(work), 1)
        fitted = []
        for group in self.tickets[ticket]:
            results = [self.results[position] for position in group]
            for result in results:
                _raise_if_stopped(False, result.diverged)
            extra = None
            if len(results[0].predictions) > 1:
                extra = np.mean([result.predictions[1] for result in results], axis=0)
            share = self.seconds * sum(work[position] for position in group) / total
            validation = np.mean([result.validation for result in results], axis=0)
            test = np.mean([result.predictions[0] for result in results], axis=0)
            fitted.append(FittedNetwork(validation, test, dict(results[0].history), share, extra))
        return fitted


def _raise_if_stopped(cancelled: bool, diverged: bool) -> None:
    if cancelled:
        from imbal_core.results import Cancelled

        raise Cancelled()
    if diverged:
        raise FloatingPointError("the loss became NaN (try a lower learning rate)")


@dataclass
class TrainedAutoencoder:
    """An autoencoder fitted on normal rows; `errors` scores rows by how badly it reconstructs them."""

    model: object
    history: dict[str, list[float]] = field(default_factory=dict)

    def errors(self, features: np.ndarray) -> np.ndarray:
        return reconstruction_errors(self.model, features)


def reconstruction_errors(model, features: np.ndarray) -> np.ndarray:
    """Mean squared reconstruction error per row, through the compiled predict function in chunks."""
    features = features.astype(np.float32)
    errors = [
        np.mean((model.predict_on_batch(chunk) - chunk) ** 2, axis=1)
        for chunk in (features[start : start + PREDICT_CHUNK] for start in range(0, len(features), PREDICT_CHUNK))
    ]
    return np.concatenate(errors).astype(np.float64) if errors else np.zeros(0)


def fit_autoencoder(
    normal_features: np.ndarray,
    validation_features: np.ndarray,
    validation_rare: np.ndarray,
    settings: ModelSettings,
    seed: int,
    code_units: int,
    on_epoch: EpochHook | None = None,
    should_stop: StopCheck | None = None,
) -> TrainedAutoencoder:
    """Train an autoencoder on `normal_features` (majority-class training rows only).

    Early stopping watches the validation rows: the PR-AUC of the reconstruction error against
    `validation_rare` (1 = rare) when both kinds are there, else the error on the normal validation rows.
    Raises Cancelled on a stop request and FloatingPointError on a NaN loss, like the networks.
    """
    import keras
    import tensorflow as tf
    from sklearn.metrics import average_precision_score

    _configure_tensorflow()
    keras.utils.set_random_seed(seed)
    model = create_autoencoder_model(normal_features.shape[1], settings, code_units, seed, STEPS_PER_EXECUTION)
    validation = validation_features.astype(np.float32)
    has_both = 0 < validation_rare.sum() < len(validation_rare)
    state = {"diverged": False, "cancelled": False}

    class Hooks(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            logs = logs if logs is not None else {}
            errors = np.mean((self.model.predict_on_batch(validation) - validation) ** 2, axis=1)
            finite = np.isfinite(errors).all()
            normal = validation_rare == 0
            logs["val_loss"] = float(errors[normal].mean()) if finite and normal.any() else math.nan
            logs["val_pr_auc"] = float(average_precision_score(validation_rare, errors)) if has_both and finite else 0.0
            if not math.isfinite(float(logs.get("loss", 0.0))) or not finite:
                state["diverged"] = True
                self.model.stop_training = True
            if on_epoch is not None:
                on_epoch(epoch, logs)
            if should_stop is not None and should_stop():
                state["cancelled"] = True
                self.model.stop_training = True

    monitor, mode = ("val_pr_auc", "max") if has_both else ("val_loss", "min")
    early_stopping = keras.callbacks.EarlyStopping(
        monitor=monitor, mode=mode, patience=settings.patience, restore_best_weights=True
    )
    features = normal_features.astype(np.float32)
    dataset = (
        tf.data.Dataset.from_tensor_slices((features, features))
        .cache()
        .shuffle(len(features), seed=seed_for(seed, Role.SHUFFLE), reshuffle_each_iteration=True)
        .batch(settings.batch_for(len(features)))
        .prefetch(2)
    )
    history = model.fit(
        dataset, epochs=settings.max_epochs, callbacks=[Hooks(), early_stopping], shuffle=False, verbose=0
    )
    _raise_if_stopped(state["cancelled"], state["diverged"])
    return TrainedAutoencoder(
        model, {name: [float(value) for value in values] for name, values in history.history.items()}
    )

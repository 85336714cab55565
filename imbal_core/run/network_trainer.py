"""The networks members stages plan, trained: one at a time (images' CNNs) or stacked (tables' MLPs),
with the fold's memo of networks already trained."""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import replace

import numpy as np

from imbal_core.nets.batches import class_row_weights, shares_bias
from imbal_core.nets.model import ModelSettings, output_bias
from imbal_core.nets.single_fit import EpochHook, StopCheck, fit_network, raise_if_stopped
from imbal_core.nets.stacked import Member, train_stack
from imbal_core.seeds import Role, seed_for
from imbal_core.stages.base import FittedNetwork, NetworkPlan


class NetworkTrainer:
    """Trains the networks that members stages plan (imbal_core.stages.NetworkPlan).

    It owns what one technique on one fold shares: the validation and test rows, the settings, the
    progress and stop hooks. Tables' MLPs train stacked (imbal_core.nets.stacked): `fit_all` trains a list of
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
        raise_if_stopped(network.cancelled, network.diverged)
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
        """The plan as a member of a stack (imbal_core.nets.stacked.Member), scored on this fold's rows."""
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
        weights = class_row_weights(plan.labels, plan.class_weight)
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
        let it overfit before early stopping looks). See imbal_core.nets.stacked."""
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
        started = time.perf_counter()
        self.results = train_stack(self.members, self.n_classes, self.settings, on_epoch, should_stop)
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
                raise_if_stopped(False, result.diverged)
            extra = None
            if len(results[0].predictions) > 1:
                extra = np.mean([result.predictions[1] for result in results], axis=0)
            share = self.seconds * sum(work[position] for position in group) / total
            validation = np.mean([result.validation for result in results], axis=0)
            test = np.mean([result.predictions[0] for result in results], axis=0)
            fitted.append(FittedNetwork(validation, test, dict(results[0].history), share, extra))
        return fitted

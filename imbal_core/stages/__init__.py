"""The stage contract: a technique is a composition of six stages, and the engine runs them in order.

Each registry entry (imbal_core.techniques.catalogue) names one stage of each kind; a stage it does not name
is the neutral one (nothing done). Nothing outside the registry and this package chooses behaviour
by a technique id or a sampler name: the engine (`fold_work.run_technique_on_fold`) only calls the
public methods below (defined in imbal_core.stages.base), in this order, on one fold:

    rows     RowStage.fit_resample(rows: TrainingRows, params, seed) -> ResampleResult
             What happens to the training rows: an imbalanced-learn sampler (over-, under-sampling,
             cleaning, hybrid), an augmenter, or nothing. Validation and test rows never reach it.
    weights  WeightStage.class_weights(labels, n_classes, params) -> {class: weight} | None
             Per-class loss weights ("balanced", manual, effective number of samples).
    loss     LossStage.settings(labels, n_classes, params) -> LossSettings
             The loss: cross-entropy, Keras' focal cross-entropy, or a logit offset while training
             (the logit-adjusted loss); may add per-class factors that become row weights.
    batches  BatchStage.plan(labels, n_classes, params) -> BatchPlan
             How mini-batches are drawn: shuffled rows as they are, or fixed class shares per batch.
    members  MemberStage.train(rows: ResampleResult, params, context: FoldContext) -> MemberOutput
             How many models, trained how, combined how: one network, balanced bagging, boosting,
             an autoencoder, or a scikit-learn reference learner. Network members never call Keras
             themselves: they describe each network as a NetworkPlan (`context.network_plan`, which
             applies the weights, loss and batches stages) and hand it to `context.trainer`.
             Independent networks (one network, bagging) split this in two:
             `plans(rows, params, context) -> [NetworkPlan]`, then
             `combine([FittedNetwork], params, context) -> MemberOutput`.
    scores   ScoreStage.finish(output: MemberOutput, params, context) -> (validation, test, notes)
             Scores after training: as they are, shifted post hoc (logit adjustment), or mapped from
             an anomaly score to a probability on the validation rows.

Like imbalanced-learn's `SamplerMixin.fit_resample` (imblearn/base.py), every public method checks its
inputs and its output once, then calls a private hook (`_fit_resample`, `_class_weights`, `_settings`,
`_plan`, `_train`, `_finish`) that each stage fills in. A new technique is one registry entry; a new
kind of behaviour is one stage class with one hook.

Built for what comes next:
- Stacked training (many members in one model): for every stage with `independent_networks`, an
  engine can collect `plans` from all techniques and folds, train them together, and `combine` each
  technique's share; the stages need no change. Boosting (`sequential`) asks its trainer round by round.
- Dask: stages are frozen dataclasses of plain values, looked up from a JSON-safe spec (technique id
  and parameters), and every stage works on arrays; nothing holds a session or a lock.
- Modalities: each stage declares the modalities it supports; `Stages.modalities` is what the whole
  technique supports, and `Stages.refusal` says why a technique cannot run on given data.
"""

"""The technique catalogue and registry: each id is a composition of stages, with its parameter schema;
a TechniqueSpec (an id with resolved values) is looked up here. What a technique and a parameter are
is in imbal_core.techniques.schema.

An entry names its stages (imbal_core.stages: rows, weights, loss, batches, members, scores); the
engine runs them and nothing outside this module and the stage modules chooses behaviour by an id.
Every entry declares its parameter schema here; the UI builds widgets from it, the CLI parses
`--param` against it, and the common tests iterate over every entry. Adding a technique is one
`_register(...)` call (plus a stage class if it needs a new kind of behaviour).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from imbal_core.errors import ParameterError
from imbal_core.stages import images as image_stages
from imbal_core.stages import members as member_stages
from imbal_core.stages import rows as row_stages
from imbal_core.stages import scores as score_stages
from imbal_core.stages import text as text_stages
from imbal_core.stages import training as training_stages
from imbal_core.stages.base import Stages
from imbal_core.techniques.schema import Param, Technique


@dataclass(frozen=True)
class TechniqueSpec:
    """A technique id with resolved parameter values: what one comparison column runs."""

    technique_id: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def technique(self) -> Technique:
        return get_technique(self.technique_id)

    @property
    def label(self) -> str:
        changed = {k: v for k, v in self.params.items() if self.technique.defaults().get(k) != v}
        if not changed:
            return self.technique_id
        return self.technique_id + "(" + ", ".join(f"{k}={v}" for k, v in changed.items()) + ")"

    @property
    def display_name(self) -> str:
        """The name people read: "Class weights", "SMOTE (k_neighbors=3)" (changed parameters only)."""
        changed = {k: v for k, v in self.params.items() if self.technique.defaults().get(k) != v}
        name = self.technique.name
        return name if not changed else name + " (" + ", ".join(f"{k}={v}" for k, v in changed.items()) + ")"

    def to_json(self) -> dict:
        return {"technique": self.technique_id, "params": dict(self.params)}

    @classmethod
    def from_json(cls, data: dict) -> TechniqueSpec:
        return make_spec(data["technique"], data.get("params"))


REGISTRY: dict[str, Technique] = {}


def _register(technique: Technique) -> None:
    if technique.id in REGISTRY:
        raise RuntimeError(f"Technique id {technique.id!r} registered twice")
    REGISTRY[technique.id] = technique


def get_technique(technique_id: str) -> Technique:
    try:
        return REGISTRY[technique_id]
    except KeyError:
        known = ", ".join(REGISTRY)
        raise ParameterError(f"Unknown technique {technique_id!r}. Known techniques: {known}.") from None


def make_spec(technique_id: str, params: dict[str, Any] | None = None) -> TechniqueSpec:
    """Validate a technique id and its parameter overrides into a TechniqueSpec."""
    technique = get_technique(technique_id)
    return TechniqueSpec(technique_id, technique.resolve(params))


def parse_assignments(assignments: list[str], technique_ids: list[str]) -> dict[str, dict[str, str]]:
    """Parse CLI `id.name=value` strings into {id: {name: value}}; every id must be among `technique_ids`."""
    overrides: dict[str, dict[str, str]] = {}
    for assignment in assignments:
        key, separator, value = assignment.partition("=")
        technique_id, dot, name = key.strip().partition(".")
        if not separator or not dot or not name:
            raise ParameterError(
                f"Parameter {assignment!r} should look like technique.name=value, e.g. smote.k_neighbors=3."
            )
        get_technique(technique_id).param(name)
        if technique_id not in technique_ids:
            raise ParameterError(
                f"Parameter {assignment!r} is for {technique_id!r}, which is not among the chosen techniques "
                f"({', '.join(technique_ids)}). Add it to --techniques or drop the parameter."
            )
        overrides.setdefault(technique_id, {})[name] = value.strip()
    return overrides


def schemas_json() -> str:
    return json.dumps([technique.to_json() for technique in REGISTRY.values()], indent=2)


# Parameter builders shared by several entries, so a range is declared once.
def _ratio(default: float = 1.0, low: float = 0.1, direction: str = "over") -> Param:
    what = "grow each smaller class to" if direction == "over" else "shrink larger classes until the smallest is"
    return Param(
        "sampling_ratio", "float", default, f"After resampling, {what} this fraction of the largest class.", low, 1.0
    )


def _k_neighbors(default: int = 5) -> Param:
    return Param("k_neighbors", "int", default, "Same-class neighbours used to place synthetic rows.", 1, 20)


_register(
    Technique(
        "baseline",
        "Baseline",
        "reference",
        "Plain cross-entropy on the data as it is: the yardstick every technique must beat.",
        "Simple; shows what the imbalance does to an untreated model.",
        "Tends to favour the majority class; minority recall is often poor.",
    )
)
_register(
    Technique(
        "class_weight",
        "Class weights",
        "cost-sensitive",
        "Errors on rare classes cost more in the loss (scikit-learn's balanced weights by default).",
        "No rows added or removed; cheap; works with any loss.",
        "Large weights make training noisier and probabilities less calibrated.",
        params=(
            Param(
                "mode",
                "choice",
                "balanced",
                "'balanced': n / (classes x count); 'manual': use minority_weight.",
                choices=("balanced", "manual"),
            ),
            Param(
                "minority_weight",
                "float",
                10.0,
                "Manual mode: weight of each minority-class row (majority = 1).",
                1.0,
                200.0,
            ),
        ),
        stages=Stages(weights=training_stages.CLASS_WEIGHTS),
    )
)
_register(
    Technique(
        "focal_loss",
        "Focal loss",
        "cost-sensitive",
        "Keras' focal cross-entropy: down-weights easy, confident rows so training focuses on hard ones.",
        "No resampling; focuses on hard examples; alpha adds class balance.",
        "Two extra knobs; probabilities are less calibrated.",
        params=(
            Param(
                "gamma",
                "float",
                2.0,
                "Focusing strength; 0 would be plain cross-entropy (kept >= 1 for stable gradients).",
                1.0,
                5.0,
            ),
            Param(
                "balance_classes",
                "bool",
                True,
                "Binary: weight the minority class by alpha and the majority by 1 - alpha. Multi-class: weight "
                "each class by its inverse frequency in the training rows (alpha is not used).",
            ),
            Param("alpha", "float", 0.75, "Weight of the minority class when balance_classes is on.", 0.05, 0.95),
        ),
        stages=Stages(loss=training_stages.FOCAL),
    )
)
_register(
    Technique(
        "random_over",
        "Random oversampling",
        "oversampling",
        "Duplicates random minority rows (optionally jittered: a smoothed bootstrap).",
        "Simple; keeps every real row.",
        "Exact duplicates invite overfitting; longer training.",
        params=(_ratio(), Param("shrinkage", "float", 0.0, "Jitter for duplicates (0 = exact copies).", 0.0, 3.0)),
        stages=Stages(rows=row_stages.RANDOM_OVER),
    )
)
_register(
    Technique(
        "smote",
        "SMOTE",
        "oversampling",
        "Creates synthetic minority rows on lines between a minority row and a minority neighbour.",
        "No exact duplicates; a classic that often helps recall.",
        "Can create rows inside majority regions; noisy for overlapping classes.",
        params=(_ratio(), _k_neighbors()),
        stages=Stages(rows=row_stages.SMOTE),
    )
)
_register(
    Technique(
        "adasyn",
        "ADASYN",
        "oversampling",
        "Like SMOTE, but makes more synthetic rows where minority rows are surrounded by the majority.",
        "Focuses on the hard border region.",
        "Amplifies noise and outliers; counts after resampling are approximate.",
        params=(
            _ratio(),
            Param("n_neighbors", "int", 5, "Neighbours used to judge difficulty and to interpolate.", 1, 20),
        ),
        stages=Stages(rows=row_stages.ADASYN),
    )
)
_register(
    Technique(
        "borderline_smote",
        "Borderline-SMOTE",
        "oversampling",
        "SMOTE applied only to minority rows near the class border ('in danger').",
        "Spends synthetic rows where the decision is made.",
        "Creates nothing when no minority row is in danger; sensitive to m_neighbors.",
        params=(
            _ratio(),
            _k_neighbors(),
            Param("m_neighbors", "int", 10, "Neighbours used to decide if a minority row is in danger.", 2, 30),
            Param(
                "kind",
                "choice",
                "borderline-1",
                "borderline-2 also interpolates toward majority neighbours.",
                choices=("borderline-1", "borderline-2"),
            ),
        ),
        stages=Stages(rows=row_stages.BORDERLINE_SMOTE),
    )
)
_register(
    Technique(
        "random_under",
        "Random undersampling",
        "undersampling",
        "Drops random majority rows until the classes reach the chosen ratio.",
        "Fast; smaller training sets train quickly.",
        "Throws information away; high variance on small data.",
        params=(_ratio(low=0.05, direction="under"),),
        stages=Stages(rows=row_stages.RANDOM_UNDER),
    )
)
_register(
    Technique(
        "tomek",
        "Tomek links",
        "undersampling",
        "Removes majority rows that form a Tomek link (mutual nearest neighbours of different classes).",
        "Cleans the class border; removes few rows.",
        "Barely changes the class ratio, so it rarely helps alone.",
        params=(
            Param(
                "sampling_strategy",
                "choice",
                "auto",
                "Which classes lose rows: 'auto' = all but the "
                "minority, 'majority' = only the largest, 'all' = every class.",
                choices=("auto", "majority", "all"),
            ),
        ),
        stages=Stages(rows=row_stages.TOMEK),
    )
)
_register(
    Technique(
        "near_miss",
        "NearMiss",
        "undersampling",
        "Keeps the majority rows closest to minority rows (by one of three rules).",
        "Deterministic; keeps majority rows that matter for the border.",
        "Version 1 is sensitive to noise; can distort the majority class badly.",
        params=(
            _ratio(low=0.05, direction="under"),
            Param("version", "int", 1, "NearMiss rule: 1, 2 or 3.", 1, 3),
            Param("n_neighbors", "int", 3, "Neighbours used to measure closeness.", 1, 10),
        ),
        stages=Stages(rows=row_stages.NEAR_MISS),
    )
)
_register(
    Technique(
        "enn",
        "Edited nearest neighbours",
        "undersampling",
        "Removes rows of larger classes whose neighbours mostly disagree with their label.",
        "Cleans noisy and overlapping regions.",
        "Removes few rows; slow on large data.",
        params=(
            Param("n_neighbors", "int", 3, "Neighbours that vote on each row.", 1, 10),
            Param(
                "kind_sel",
                "choice",
                "all",
                "'all': every neighbour must agree; 'mode': the majority must.",
                choices=("all", "mode"),
            ),
        ),
        stages=Stages(rows=row_stages.ENN),
    )
)
_register(
    Technique(
        "smote_tomek",
        "SMOTE + Tomek links",
        "hybrid",
        "SMOTE first, then Tomek links clean the border the synthetic rows blurred.",
        "Balanced classes with a cleaner border.",
        "Two steps of cost; Tomek removes little.",
        params=(_ratio(), _k_neighbors()),
        stages=Stages(rows=row_stages.SMOTE_TOMEK),
    )
)
_register(
    Technique(
        "smote_enn",
        "SMOTE + ENN",
        "hybrid",
        "SMOTE first, then edited nearest neighbours remove rows whose neighbours disagree.",
        "Stronger cleaning than SMOTE + Tomek.",
        "Can remove many rows, real minority rows included.",
        params=(
            _ratio(),
            _k_neighbors(),
            Param("enn_neighbors", "int", 3, "Neighbours used by the ENN cleaning.", 1, 10),
        ),
        stages=Stages(rows=row_stages.SMOTE_ENN),
    )
)
_register(
    Technique(
        "balanced_bagging",
        "Balanced bagging",
        "ensemble",
        "Trains several networks, each on all minority rows plus an equal random draw of the others; averages "
        "their probabilities.",
        "Averaging reduces variance. Each member is an undersample without replacement (UnderBagging), so "
        "not every majority row is used: with 10% minority and 5 members about half are.",
        "N times the training; each member sees little data.",
        params=(Param("members", "int", 5, "Number of networks in the ensemble.", 2, 15),),
        stages=Stages(members=member_stages.BALANCED_BAGGING),
    )
)
_register(
    Technique(
        "noise_augment",
        "Noise augmentation",
        "augmentation",
        "Adds copies of minority rows with Gaussian noise on the numeric features (tabular augmentation).",
        "Simple; no neighbour search; acts as a regulariser.",
        "Noise can cross into majority regions; categorical columns are copied unchanged.",
        params=(
            _ratio(),
            Param(
                "noise_scale", "float", 0.1, "Noise standard deviation, in units of each feature's spread.", 0.01, 1.0
            ),
        ),
        stages=Stages(rows=row_stages.NOISE_AUGMENT),
    )
)
_register(
    Technique(
        "image_augment",
        "Image augmentation",
        "augmentation",
        "Adds new minority images made from training images by random rotation, shift, zoom and contrast "
        "(Keras preprocessing layers); flips only when asked.",
        "New images are plausible variations of real ones, not copies; the network learns shapes that survive "
        "small changes.",
        "Only changes that keep the class are safe: a flipped or rotated digit can become another digit (a 6 "
        "and a 9), and heavy changes teach the network images that never occur. Images only.",
        params=(
            _ratio(0.5),
            Param("rotation_degrees", "float", 10.0, "Largest rotation either way, in degrees.", 0.0, 45.0),
            Param("translation", "float", 0.1, "Largest shift, as a share of the height and width.", 0.0, 0.3),
            Param("zoom", "float", 0.1, "Largest zoom in or out, as a share of the size.", 0.0, 0.3),
            Param("contrast", "float", 0.1, "Largest contrast change, as a share.", 0.0, 0.5),
            Param(
                "flip",
                "choice",
                "none",
                "Mirror images at random; off by default, because a mirrored digit or letter is another symbol.",
                choices=("none", "horizontal", "vertical", "horizontal_and_vertical"),
            ),
        ),
        stages=Stages(rows=image_stages.IMAGE_AUGMENT),
        evidence="On nines (5-fold, bench/RESULTS.md section 8): PR-AUC 0.798 ± 0.093 against 0.756 ± 0.130 for "
        "the plain CNN, and the smallest spread; recall at 0.5 rose from 0.58 to 0.72.",
    )
)
_register(
    Technique(
        "text_augment",
        "Text augmentation",
        "augmentation",
        "Adds new minority messages made from training messages by small word edits (EDA, Wei & Zou 2019): "
        "synonyms from a small bundled list, words of the training rows inserted, words swapped or deleted.",
        "New messages are variations of real ones in real words; no neighbour search, no download; the network "
        "sees the rare class's words in more combinations.",
        "An edit can change the meaning or the class (a deleted 'not', a synonym with another sense), and every "
        "new message repeats its original's topic, sender and quirks. A bag of words ignores word order except "
        "word pairs, so swaps do little, and a synonym the training rows never use is, for it, a deletion. "
        "Tables with a free-text column only.",
        params=(
            _ratio(0.5),
            Param(
                "change_share",
                "float",
                0.1,
                "Share of each message's words changed (rounded, at least one edit per message).",
                0.05,
                0.5,
            ),
            Param("synonym_replacement", "bool", True, "Replace a word by a synonym from the bundled list."),
            Param("random_insertion", "bool", True, "Insert a word the training rows use, at a random place."),
            Param("random_swap", "bool", True, "Swap two words."),
            Param("random_deletion", "bool", True, "Delete a word (never a message's last one)."),
        ),
        stages=Stages(rows=text_stages.TEXT_AUGMENT),
        evidence="On sms (5-fold, seed 0, sample_data/README.md): PR-AUC 0.831 ± 0.032 against the baseline's "
        "0.835 ± 0.020, so no better ranking; recall at 0.5 rose from 0.69 to 0.79 and F1 fell from 0.75 to 0.71.",
    )
)
_register(
    Technique(
        "balanced_batches",
        "Balanced batches",
        "batch sampling",
        "Every mini-batch is drawn with chosen class shares (tf.data sampling from one stream per class); the "
        "training rows themselves are unchanged.",
        "No row is copied, made up or thrown away; every step sees the rare class, however rare it is.",
        "Rare rows come round many times per epoch, as with oversampling, so the network can memorise them; "
        "scores reflect the batch shares, not real risks.",
        params=(
            Param(
                "balance",
                "float",
                1.0,
                "0 = batches at the data's class shares (plain shuffling); 1 = every class equally often; "
                "0.5 = square-root sampling (shares proportional to the square root of the class sizes).",
                0.0,
                1.0,
            ),
        ),
        stages=Stages(batches=training_stages.BALANCED_BATCHES),
        evidence="5-fold PR-AUC: the highest mean on medical (0.959 against the baseline's 0.941) and digits "
        "(0.970 against 0.954), where rare rows are few and distinct; level on maintenance, lower on spam and "
        "fraud (0.388 against 0.416). Every gap is within about one standard deviation.",
    )
)
_register(
    Technique(
        "class_balanced_loss",
        "Class-balanced loss",
        "cost-sensitive",
        "Cui et al. (CVPR 2019): each class's rows weigh (1 - beta) / (1 - beta^n), n its training rows, the "
        "inverse of its 'effective number' of samples; scaled like 'balanced' weights (mean row weight 1).",
        "Between no weighting (beta = 0) and class weights' 'balanced' (beta near 1, weight 1/n): a class's "
        "effective number levels off at 1 / (1 - beta), so beyond that more rows no longer mean a smaller "
        "weight, and a very rare class is weighted up less extremely than 'balanced' does.",
        "One more knob whose effect depends on the class sizes: when every class has far fewer than "
        "1 / (1 - beta) rows it is the same as 'balanced'.",
        params=(
            Param(
                "beta",
                "choice",
                0.999,
                "beta: 0.9, 0.99, 0.999 or 0.9999 (the values Cui et al. tried); closer to 1 = closer to 'balanced'.",
                choices=(0.9, 0.99, 0.999, 0.9999),
            ),
        ),
        stages=Stages(weights=training_stages.EFFECTIVE_NUMBER),
        evidence="Above 'balanced' class weights on all four two-class samples (fraud 0.430 against 0.393, "
        "maintenance 0.698 against 0.671), but above the plain baseline only on fraud (0.416), within the spread.",
    )
)
_register(
    Technique(
        "logit_adjustment",
        "Logit adjustment",
        "cost-sensitive",
        "Menon et al. (ICLR 2021): train with cross-entropy on the logits plus tau x log(class prior) and "
        "predict without it ('loss'), or train plainly and subtract tau x log(prior) from the logits after "
        "training ('post_hoc', no retraining).",
        "Aims at the balanced error with one knob; the post-hoc form costs nothing beyond the plain network "
        "(in one run it reuses the baseline's network).",
        "For two classes the post-hoc form is threshold moving (to the minority share at tau = 1): PR-AUC and "
        "ROC-AUC stay the plain network's. With a free output bias the loss form differs from it only in "
        "where training starts; scores are not risks.",
        params=(
            Param(
                "tau",
                "float",
                1.0,
                "Strength tau: 0 = plain cross-entropy; 1 = the shift that targets the balanced error.",
                0.0,
                3.0,
            ),
            Param(
                "mode",
                "choice",
                "loss",
                "'loss': train with the adjusted loss; 'post_hoc': train plainly, then shift the logits.",
                choices=("loss", "post_hoc"),
            ),
        ),
        stages=Stages(loss=training_stages.LOGIT_ADJUSTED, scores=score_stages.POST_HOC_LOGIT),
        evidence="As a loss: the best fraud mean (0.431 against the baseline's 0.416), behind on maintenance "
        "(0.710 against 0.725) and digits (0.939 against 0.954). Post hoc: two-class PR-AUC is the baseline's by "
        "construction; on digits 0.948, with no training of its own.",
    )
)
_register(
    Technique(
        "rus_boost",
        "RUSBoost (boosted networks)",
        "ensemble",
        "Boosting with random undersampling: each round trains a network on a balanced random draw whose rows "
        "carry the boosting weights, and rows earlier rounds got wrong weigh more (SAMME); probabilities are "
        "the rounds' alpha-weighted mean.",
        "Later rounds focus on the rows that are hard to get right; each round is balanced and cheap.",
        "Rounds run one after another (up to R times the training); boosting also chases label noise; scores "
        "are not risks.",
        params=(
            Param(
                "rounds",
                "int",
                5,
                "Boosting rounds (one network each), at most: boosting stops when a round is no better than chance.",
                2,
                15,
            ),
            _ratio(low=0.1, direction="under"),
        ),
        stages=Stages(members=member_stages.RUS_BOOST),
        evidence="The best spam mean (0.583 against the baseline's 0.576) but clearly worse on maintenance "
        "(0.573 against 0.725) and a little lower elsewhere; rounds often stopped early, no better than chance.",
    )
)
_register(
    Technique(
        "anomaly_autoencoder",
        "Anomaly autoencoder",
        "anomaly detection",
        "A small autoencoder learns to rebuild the majority class's training rows only; rows it rebuilds badly "
        "are unusual. The reconstruction error becomes a probability by a logistic fit on the validation rows.",
        "Learns without rare rows (useful when they are very few or keep changing, as in fraud); thresholds and "
        "costs work on its probabilities like on any other technique's.",
        "Two classes only. It finds what is unusual, not what is rare: rare rows that look normal are missed, "
        "and with enough rare rows a supervised network usually ranks better.",
        params=(
            Param(
                "code_units",
                "int",
                4,
                "Width of the autoencoder's narrowest layer (kept at most half the input columns).",
                1,
                32,
            ),
        ),
        stages=Stages(members=member_stages.AUTOENCODER, scores=score_stages.ANOMALY_TO_PROBABILITY),
        evidence="Far below the supervised networks everywhere (fraud 0.186 against 0.416, maintenance 0.154 "
        "against 0.725). On fraud, at the cost-optimal threshold, it caught about as many frauds as class weights "
        "(recall 0.58 against 0.59) at half the precision, so it cost more (2,921 against 2,526 per 1,000 payments).",
    )
)
_register(
    Technique(
        "logistic_regression",
        "Logistic regression",
        "reference",
        "scikit-learn's logistic regression on the same folds and preprocessing: a reference, not a network.",
        "Fast, well calibrated on untreated data; shows whether a network is worth it here.",
        "Linear: misses interactions a network or trees can find. Shown for comparison only, never recommended.",
        stages=Stages(members=member_stages.LOGISTIC_REGRESSION),
    )
)
_register(
    Technique(
        "hist_gradient_boosting",
        "Gradient boosting",
        "reference",
        "scikit-learn's HistGradientBoostingClassifier on the same folds and preprocessing: a strong tabular reference.",
        "Often the best plain learner on tables; shows whether a network is worth it here.",
        "Not a network; shown for comparison only, never recommended.",
        stages=Stages(members=member_stages.HIST_GRADIENT_BOOSTING),
    )
)


def applicable_techniques(
    n_classes: int, modality: str, text_columns: list[str] | tuple[str, ...] = ()
) -> tuple[list[str], list[dict[str, str]]]:
    """What "all" means for this data: the network techniques that can run on it, in registry order, and the
    ones left out, each as {"technique", "reason" (a few words), "explanation" (the engine's sentence)}.

    Decided from what the registry declares (modalities, two classes only, a free-text column needed),
    the same test that refuses a technique when it is asked for by name.
    """
    applicable, left_out = [], []
    for technique in REGISTRY.values():
        if technique.is_reference:
            continue
        explanation = text_stages.refusal_for_data(technique.stages, n_classes, modality, text_columns)
        if explanation is None:
            applicable.append(technique.id)
            continue
        reason = _short_refusal(technique, n_classes, modality)
        left_out.append({"technique": technique.id, "reason": reason, "explanation": explanation})
    return applicable, left_out


def _short_refusal(technique: Technique, n_classes: int, modality: str) -> str:
    if modality not in technique.modalities:
        return f"works on {' or '.join(technique.modalities)} data only, this is {modality} data"
    if technique.stages.refusal(n_classes, modality):
        return f"two classes only, this target has {n_classes}"
    return "needs a free-text column, this table has none"


# Named sets, so no other module spells a technique id.
BASELINE_ID = "baseline"  # the plain network every technique is compared with
DEFAULT_TECHNIQUES = ("baseline", "class_weight", "focal_loss", "random_over", "smote", "random_under")  # the CLI's
DEFAULT_DASHBOARD_CHOICE = ("baseline", "class_weight", "smote")  # what Train & compare starts with
DEFAULT_RESAMPLE_CHOICE = "smote"  # what the Resample page shows first
DEFAULT_IMAGE_TECHNIQUES = ("baseline", "image_augment", "class_weight")  # the CLI's and dashboard's for images
for _technique_id in (
    BASELINE_ID,
    *DEFAULT_TECHNIQUES,
    *DEFAULT_DASHBOARD_CHOICE,
    DEFAULT_RESAMPLE_CHOICE,
    *DEFAULT_IMAGE_TECHNIQUES,
):
    get_technique(_technique_id)  # a renamed id fails at import, not in front of a person

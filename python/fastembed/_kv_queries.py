"""gensim 4 ``KeyedVectors`` queries built on the core ones: relative cosine similarity, a
subset of vectors, and Word Mover's Distance (with the optional POT package, as gensim)."""
from __future__ import annotations

import logging
from typing import Any, Iterable, Sequence

import numpy as np

logger = logging.getLogger("fastembed")


class GensimQueriesMixin:
    """Mixed into :class:`fastembed.KeyedVectors`."""

    def relative_cosine_similarity(self, wa: Any, wb: Any, topn: int = 10) -> float:
        """Leeuwenberg et al.'s relative cosine similarity, as gensim: ``similarity(wa, wb)``
        over the summed similarities of ``wa``'s ``topn`` nearest keys."""
        sims = self.similar_by_word(wa, topn)  # type: ignore[attr-defined]
        if not sims:
            raise ValueError("Cannot calculate relative cosine similarity without any similar words.")
        return float(self.similarity(wa, wb)) / sum(sim for _, sim in sims)  # type: ignore[attr-defined]

    def vectors_for_all(self, keys: Iterable[Any], allow_inference: bool = True,
                        copy_vecattrs: bool = False) -> Any:
        """A new KeyedVectors holding the given keys (duplicates once, in the given order) that
        this object has vectors for; with ``allow_inference`` (subword vectors) also those it
        can infer.  ``copy_vecattrs`` copies each key's attributes (``count``, ...)."""
        chosen, seen = [], set()
        for key in keys:
            if key not in seen:
                seen.add(key)
                if key in (self if allow_inference else self.key_to_index):  # type: ignore[attr-defined,operator]
                    chosen.append(key)
        from .vectors import KeyedVectors
        out = KeyedVectors(self.vector_size)  # type: ignore[attr-defined]
        if chosen:
            out.add_vectors(chosen, np.array([self[k] for k in chosen], dtype=np.float32))  # type: ignore[index]
            if copy_vecattrs:
                for attr, values in self.expandos.items():  # type: ignore[attr-defined]
                    rows = [self.get_index(k) for k in chosen]  # type: ignore[attr-defined]
                    if len(values) == len(self):  # type: ignore[arg-type]
                        out.expandos[attr] = np.asarray(values)[rows].copy()
        return out

    def embed_documents(self, docs: Sequence[Any], method: str = "mean", sif_a: float = 1e-3,
                        principal_component: Any = None) -> np.ndarray:
        """Vectors for documents from the word vectors: ``[len(docs), vector_size]`` float32.

        Each document is a list of words or a str (split on whitespace as ``str.split()``).
        ``method="mean"``: the mean of its words' vectors.  ``method="sif"`` (Arora, Liang & Ma
        2017): the mean weighted by ``a / (a + p(w))``, ``p(w)`` the word's share of the counts
        in ``expandos["count"]`` and ``a = sif_a``, then the projection on the first principal
        component removed: the one fitted on these documents (:meth:`sif_principal_component`),
        or ``principal_component`` if given (fit on training documents, apply to new ones).
        Words without a vector are skipped; a document with none gets a zero row.  The averaging
        runs in C++ with the GIL released."""
        if method not in ("mean", "sif"):
            raise ValueError(f"method must be 'mean' or 'sif', got {method!r}")
        if isinstance(docs, (str, bytes)):
            raise TypeError("docs must be a list of documents (each a list of words or a str), not one str")
        docs = list(docs)
        if method == "mean":
            if principal_component is not None:
                raise ValueError("principal_component applies to method='sif'")
            return self._mean_embeddings(docs, None)
        x = self._mean_embeddings(docs, self._sif_weights(sif_a))
        u = self._principal(x) if principal_component is None else self._check_component(principal_component)
        if u is not None:
            x -= np.outer(x.astype(np.float64) @ u, u).astype(np.float32)
        return x

    def sif_principal_component(self, docs: Sequence[Any], sif_a: float = 1e-3) -> np.ndarray:
        """The first principal component (a unit float64 vector, no centring, as Arora et al.)
        of the documents' SIF-weighted means: what ``embed_documents(method="sif")`` removes."""
        u = self._principal(self._mean_embeddings(list(docs), self._sif_weights(sif_a)))
        return np.zeros(self.vector_size) if u is None else u  # type: ignore[attr-defined]

    def _mean_embeddings(self, docs: list, weights: Any) -> np.ndarray:
        from . import _core
        vectors = self.vectors  # type: ignore[attr-defined]
        if len(vectors) == 0:
            return np.zeros((len(docs), self.vector_size), dtype=np.float32)  # type: ignore[attr-defined]
        rows = np.ascontiguousarray(vectors) if vectors.strides[1] != 4 else vectors
        return _core.mean_embeddings(rows, self.key_to_index, docs, weights)  # type: ignore[attr-defined]

    def _sif_weights(self, a: float) -> np.ndarray:
        if not (isinstance(a, (int, float)) and np.isfinite(a) and a > 0):
            raise ValueError(f"sif_a must be a positive number, got {a!r}")
        counts = self.expandos.get("count")  # type: ignore[attr-defined]
        if counts is None or len(counts) != len(self) or not np.asarray(counts).sum() > 0:  # type: ignore[arg-type]
            raise ValueError("method='sif' needs word counts in expandos['count'] (a trained model's wv, a native "
                             "save, or a word2vec file loaded with its vocabulary file)")
        p = np.asarray(counts, dtype=np.float64) / float(np.asarray(counts, dtype=np.float64).sum())
        return (a / (a + p)).astype(np.float32)

    @staticmethod
    def _principal(x: np.ndarray) -> Any:
        if not len(x) or not np.abs(x).sum() > 0:
            return None
        _, _, vt = np.linalg.svd(x.astype(np.float64), full_matrices=False)
        return vt[0]

    def _check_component(self, u: Any) -> np.ndarray:
        u = np.asarray(u, dtype=np.float64)
        if u.shape != (self.vector_size,) or not np.isfinite(u).all():  # type: ignore[attr-defined]
            raise ValueError(f"principal_component must be a finite vector of size {self.vector_size}")  # type: ignore[attr-defined]
        n = np.linalg.norm(u)
        return u / n if n > 0 else u

    def wmdistance(self, document1: Sequence[Any], document2: Sequence[Any], norm: bool = True) -> float:
        """Word Mover's Distance (Kusner et al. 2015) between two token lists, as gensim: the
        earth mover's distance between their normalised bags of words, moving mass along the
        Euclidean distances of the (unit, with ``norm``) word vectors.  Tokens without a vector
        are dropped (logged); ``inf`` when a document has none left; 0.0 when both are one and
        the same token.  Needs the POT package (``pip install POT`` or ``fastembed[wmd]``)."""
        try:
            from ot import emd2
        except ImportError:
            raise ImportError("wmdistance needs the POT package: pip install POT (or 'fastembed[wmd]')") from None
        for name, doc in (("document1", document1), ("document2", document2)):
            if isinstance(doc, (str, bytes)):
                raise TypeError(f"{name} must be a list of tokens, not a single string")
        doc1 = [t for t in document1 if t in self]  # type: ignore[operator]
        doc2 = [t for t in document2 if t in self]  # type: ignore[operator]
        dropped = (len(document1) - len(doc1), len(document2) - len(doc2))
        if any(dropped):
            logger.info("Removed %d and %d OOV words from document 1 and 2 (respectively).", *dropped)
        if not doc1 or not doc2:
            logger.warning("At least one of the documents had no words that were in the vocabulary.")
            return float("inf")
        vocab = list(dict.fromkeys(doc1 + doc2))
        if len(vocab) == 1:
            return 0.0
        index = {t: i for i, t in enumerate(vocab)}
        vecs = np.array([self.get_vector(t, norm=norm) for t in vocab], dtype=np.float64)  # type: ignore[attr-defined]
        # gensim fills only the document-1 x document-2 block; mass never moves elsewhere.
        rows = sorted({index[t] for t in doc1})
        cols = sorted({index[t] for t in doc2})
        diff = vecs[rows][:, None, :] - vecs[cols][None, :, :]
        distance = np.zeros((len(vocab), len(vocab)), dtype=np.float64)
        distance[np.ix_(rows, cols)] = np.sqrt((diff * diff).sum(axis=2))
        if abs(distance.sum()) < 1e-8:
            logger.info("The distance matrix is all zeros. Aborting (returning inf).")
            return float("inf")

        def nbow(doc: list) -> np.ndarray:
            d = np.zeros(len(vocab), dtype=np.float64)
            for t in doc:
                d[index[t]] += 1.0
            return d / len(doc)

        return float(emd2(nbow(doc1), nbow(doc2), distance))

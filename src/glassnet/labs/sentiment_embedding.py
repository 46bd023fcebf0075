"""Exercise 8: an Embedding layer learns which words are positive from 7 short reviews
(COURSE.md section 5).

The reviews are turned into padded index sequences with Keras 2's ``Tokenizer`` and
``pad_sequences``. The model is as small as it can be:

    Embedding(vocabulary, 2, mask_zero=True)   each word -> a learned 2-D point e_w
    GlobalAveragePooling1D()                  a review -> the mean of its words' points
    Dense(1, sigmoid)                         p(positive) = sigmoid(w . mean + b)

The embedding has only 2 dimensions so it can be drawn. Because the pooling is a mean and the
classifier is linear, the model reads a review along one direction w of the plane: a review is
positive when the mean of its words lies on the positive side of the line w . e + b = 0. So
training should push the positive words to one side of that line and the negative ones to the
other; we measure it by the *score* each word gets on its own, w . e_w + b (the logit of a
one-word review), and count the words whose sign matches their review's label.

Padding index 0 is masked (``mask_zero=True``), so the mean is over a review's real words only:
"bad" padded to "bad 0 0 0" is read as "bad", not as a quarter of "bad".

We train with plain gradient descent on all 7 reviews at once. Then how far a word travels
tells how much evidence it had: the gradient reaching a word is its review's error times w
divided by the review's length (the mean shares it among the words), summed over the reviews it
appears in. "nice" (in two reviews) and "bad" (a review on its own) move farthest; "very",
"good", "quality" (a quarter each of one review) least. Every word moves along w, so the
learned points lie near one line. (Adam would move every word at about the same speed and
pile them onto two points.)
"""
from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import layers
from glassnet.labs.base import Lab, Param, register
from glassnet.plotting import plot_history
from glassnet.preprocessing.sequence import pad_sequences
from glassnet.preprocessing.text import Tokenizer

REVIEWS = [
    ("very good nice quality", 1),
    ("stop lies", 0),
    ("ugly terrible", 0),
    ("excellent work", 1),
    ("adorable lovely", 1),
    ("bad", 0),
    ("great nice", 1),
]


def word_labels(tokenizer, texts, labels) -> dict:
    """word -> the label of the reviews it appears in (each word here appears in one kind only)."""
    out = {}
    for text, label in zip(texts, labels):
        for word in tokenizer.texts_to_sequences([text])[0]:
            out.setdefault(tokenizer.index_word[word], int(label))
    return out


def word_scores(table, kernel, bias, index_word) -> dict:
    """word -> w . e_word + b: the logit the classifier gives a review made of that word alone."""
    w = np.asarray(kernel).reshape(-1)
    b = float(np.asarray(bias).reshape(-1)[0])
    return {index_word[i]: float(table[i] @ w + b) for i in sorted(index_word)}


def close_groups(word_index: dict, table, radius: float) -> list:
    """Words whose points lie within ``radius`` of a group's first word, as lists (for one label
    per group on the plot: words trained by the same reviews land on the same point)."""
    groups = []
    for word, i in word_index.items():
        for group in groups:
            if np.linalg.norm(table[i] - table[word_index[group[0]]]) <= radius:
                group.append(word)
                break
        else:
            groups.append([word])
    return groups


def sign_accuracy(scores: dict, labels: dict) -> float:
    """The fraction of words whose score has the sign of their label (> 0 for positive)."""
    return float(np.mean([(scores[w] > 0) == (labels[w] == 1) for w in labels]))


@register
class SentimentEmbeddingLab(Lab):
    name = "sentiment-embedding"
    title = "Exercise 8: a 2-D word embedding learns positive and negative from 7 reviews"
    section = "5"
    exercise = "8"
    shows = "Tokenizer + pad_sequences + Embedding(2) + mean pooling: 7/7 reviews right, words split by sign"
    typical_time = "1 s"
    params = {
        "epochs": Param(300, quick=150, help="full-batch gradient-descent epochs"),
        "lr": Param(1.0, help="SGD learning rate"),
    }

    def run(self, ctx):
        p = ctx.params
        texts = [t for t, _ in REVIEWS]
        labels = np.array([y for _, y in REVIEWS], dtype=np.float32)

        tokenizer = Tokenizer()
        tokenizer.fit_on_texts(texts)
        vocab = len(tokenizer.word_index) + 1     # + 1: index 0 is the padding
        ctx.table(["word", "index", "count"],
                  [(w, i, tokenizer.word_counts[w]) for w, i in tokenizer.word_index.items()],
                  title=f"tokenizer: {len(tokenizer.word_index)} words, indices 1-{vocab - 1} (0 is padding)")
        sequences = tokenizer.texts_to_sequences(texts)
        x = pad_sequences(sequences, padding="post")  # (7, longest review): zeros after the words
        ctx.table(["review", "label", "sequence", "padded"],
                  [(t, int(y), s, x[i].tolist()) for i, (t, y, s) in enumerate(zip(texts, labels, sequences))],
                  title=f"the reviews as index sequences, padded to length {x.shape[1]}")

        embedding = layers.Embedding(vocab, 2, mask_zero=True)
        dense = layers.Dense(1, activation="sigmoid")
        model = gn.Sequential([layers.Input((x.shape[1],), dtype="int32"), embedding,
                               layers.GlobalAveragePooling1D(), dense])
        model.compile(optimizer=gn.optimizers.SGD(learning_rate=p["lr"]), loss="binary_crossentropy",
                      metrics=["accuracy"])
        ctx.print(f"parameters: embedding {embedding.count_params()} = {vocab} x 2, dense {dense.count_params()}")

        words = word_labels(tokenizer, texts, labels)
        before = word_scores(embedding.get_weights()[0], *dense.get_weights(), tokenizer.index_word)
        start_table = embedding.get_weights()[0].copy()
        history = model.fit(x, labels, epochs=p["epochs"], batch_size=len(x), shuffle=False, verbose=0)

        probs = model.predict(x, verbose=0).ravel()
        pred = (probs > 0.5).astype(int)
        accuracy = float(np.mean(pred == labels))
        ctx.table(["review", "label", "p(positive)", "prediction"],
                  [(t, int(y), f"{q:.3f}", int(k)) for t, y, q, k in zip(texts, labels, probs, pred)],
                  title=f"after {p['epochs']} epochs")

        table = embedding.get_weights()[0]
        kernel, bias = dense.get_weights()
        scores = word_scores(table, kernel, bias, tokenizer.index_word)
        ctx.table(["word", "label", "embedding", "score before", "score after"],
                  [(w, words[w], f"({table[i, 0]:+.2f}, {table[i, 1]:+.2f})", f"{before[w]:+.3f}", f"{scores[w]:+.3f}")
                   for w, i in tokenizer.word_index.items()],
                  title="each word's 2-D embedding and its score w . e + b (the logit of the word alone)")
        positive = [scores[w] for w in words if words[w] == 1]
        negative = [scores[w] for w in words if words[w] == 0]
        ctx.report("training accuracy", accuracy, course=1.0,
                   note=f"{int((pred == labels).sum())} of {len(labels)} reviews")
        ctx.report("word sign accuracy before training", sign_accuracy(before, words),
                   note="score w.e+b > 0 <=> positive word; chance 0.5")
        ctx.report("word sign accuracy after training", sign_accuracy(scores, words),
                   note=f"{len(words)} words")
        ctx.report("mean score of positive words", float(np.mean(positive)))
        ctx.report("mean score of negative words", float(np.mean(negative)))
        ctx.report("score gap (lowest positive - highest negative)", float(min(positive) - max(negative)),
                   note="> 0: a line separates them")
        ctx.report("final loss", float(history.history["loss"][-1]))

        import matplotlib.pyplot as plt
        fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(17, 5), gridspec_kw={"width_ratios": [1, 1.3, 0.9]})
        plot_history(history, metrics=["loss"], ax=ax0, title="training loss (binary cross-entropy)")
        ax0.set_yscale("log")
        colors = {1: "#2ca02c", 0: "#d62728"}
        lim = 1.15 * max(np.abs(table).max(), 0.1)
        for w, i in tokenizer.word_index.items():
            ax1.annotate("", xy=table[i], xytext=start_table[i],
                         arrowprops=dict(arrowstyle="->", color="0.8", lw=0.6))
            ax1.scatter(*table[i], color=colors[words[w]], s=30, zorder=3)
        groups = close_groups(tokenizer.word_index, table, radius=0.1 * lim)
        groups.sort(key=lambda g: scores[g[0]])
        for k, group in enumerate(groups):   # one label per group of near points, alternately above and below
            ax1.annotate(",\n".join(group) if len(group) > 3 else ", ".join(group),
                         table[tokenizer.word_index[group[0]]], textcoords="offset points",
                         xytext=(0, 10 if k % 2 == 0 else -10), ha="center", va="bottom" if k % 2 == 0 else "top",
                         fontsize=8, color=colors[words[group[0]]])
        for label, text in ((1, "positive word"), (0, "negative word")):
            ax1.scatter([], [], color=colors[label], label=text)
        # The decision line w . e + b = 0: a review is called positive when the mean of its
        # words' points lies on the side the arrow w points to.
        w = kernel.reshape(-1)
        ts = np.linspace(-2 * lim, 2 * lim, 2)
        foot = -float(bias[0]) * w / (w @ w)          # the point of the line closest to the origin
        along = np.array([-w[1], w[0]]) / np.linalg.norm(w)
        line = foot[None] + ts[:, None] * along[None]
        ax1.plot(line[:, 0], line[:, 1], "k--", lw=1, label="decision line w.e + b = 0")
        ax1.annotate("", xy=foot + 0.3 * lim * w / np.linalg.norm(w), xytext=foot,
                     arrowprops=dict(arrowstyle="->", color="k", lw=1.5))
        ax1.set_xlim(-lim, lim)
        ax1.set_ylim(-lim, lim)
        ax1.set_aspect("equal")
        ax1.set_xlabel("embedding dimension 1")
        ax1.set_ylabel("embedding dimension 2")
        ax1.set_title(f"learned 2-D embeddings (grey: path from the start)\n{accuracy:.0%} of the reviews right")
        ax1.grid(alpha=0.3)
        ax1.legend(loc="best", fontsize=8)
        order = sorted(scores, key=scores.get)
        ax2.barh(range(len(order)), [scores[w] for w in order], color=[colors[words[w]] for w in order])
        ax2.set_yticks(range(len(order)), order)
        ax2.axvline(0, color="k", lw=0.8)
        ax2.set_xlabel("score w . e + b of the word alone (logit)")
        ax2.set_title("each word's score: the sign is the classifier's verdict")
        ax2.grid(alpha=0.3, axis="x")
        fig.tight_layout()
        ctx.savefig(fig, "sentiment_embedding")

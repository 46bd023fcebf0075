"""Exercises 7 and 9: an LSTM learns to say "ihello" when it reads "hihell" (COURSE.md section 5).

Exercise 7 prepares the data. The word "hihello" has five different characters; each gets an
index in the order it first appears (h 0, i 1, e 2, l 3, o 4). The input is the word without
its last character, "hihell", and the target the word without its first, "ihello": at every
step the net must predict the *next* character. Each input character becomes a one-hot row of
5 numbers, so one sample is a (6 steps, 5 features) matrix.

Exercise 9 trains a many-to-many net on that single sample:

    LSTM(units, return_sequences=True)       one hidden state per step: (1, 6, units)
    TimeDistributed(Dense(5, softmax))       the same Dense at every step: (1, 6, 5)

The loss is the cross-entropy of each step's softmax against the target character, averaged
over the 6 steps. Notice the task is not a fixed character-to-character table: after "l" comes
"l" the first time and "o" the second, and after "h" comes "i" first and "e" later. The LSTM
has to remember where in the word it is, which is what its state is for.
"""
from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import layers
from glassnet.callbacks import LambdaCallback
from glassnet.labs.base import Lab, Param, register
from glassnet.plotting import plot_history
from glassnet.utils import to_categorical

WORD = "hihello"


def char_index(word: str) -> dict:
    """Each distinct character of ``word`` -> an index, in the order of first appearance."""
    return {c: i for i, c in enumerate(dict.fromkeys(word))}


def encode(word: str = WORD):
    """Exercise 7: ``(chars, x_ids, y_ids, x_onehot, y_onehot)`` for input word[:-1], target word[1:]."""
    index = char_index(word)
    chars = list(index)
    x_ids = np.array([index[c] for c in word[:-1]])
    y_ids = np.array([index[c] for c in word[1:]])
    return (chars, x_ids, y_ids, to_categorical(x_ids, len(chars)).astype(np.float32),
            to_categorical(y_ids, len(chars)).astype(np.float32))


@register
class HiHelloLab(Lab):
    name = "hihello"
    title = "Exercises 7 and 9: one-hot 'hihell' -> an LSTM predicts 'ihello'"
    section = "5"
    exercise = "7, 9"
    shows = "char index and one-hot tables; LSTM(5) + TimeDistributed(Dense) learns 'ihello', accuracy 1.0"
    typical_time = "1 s"
    params = {
        "units": Param(5, help="LSTM units (the course uses as many as there are characters)"),
        "epochs": Param(100, quick=60, help="training epochs (one step each: there is one sample)"),
        "lr": Param(0.05, help="Adam learning rate"),
        "print_every": Param(10, help="print the predicted string every N epochs"),
    }

    def run(self, ctx):
        p = ctx.params
        chars, x_ids, y_ids, x_onehot, y_onehot = encode(WORD)
        n = len(chars)

        # ---- exercise 7: the index and the one-hot tables
        ctx.table(["char", "index"], [(c, i) for i, c in enumerate(chars)],
                  title=f"the characters of {WORD!r}, indexed in order of first appearance")
        ctx.table(["step", "input", "index", *chars],
                  [(t, WORD[t], int(x_ids[t]), *x_onehot[t].astype(int).tolist()) for t in range(len(x_ids))],
                  title=f"input {WORD[:-1]!r}, one-hot (shape {x_onehot.shape})")
        ctx.table(["step", "target", "index", *chars],
                  [(t, WORD[t + 1], int(y_ids[t]), *y_onehot[t].astype(int).tolist()) for t in range(len(y_ids))],
                  title=f"target {WORD[1:]!r}, one-hot (shape {y_onehot.shape})")

        # ---- exercise 9: the LSTM
        x = x_onehot[None]                        # (1, 6, 5): one sample of 6 steps
        y = y_ids[None]                           # (1, 6): the target index at every step
        lstm = layers.LSTM(p["units"], return_sequences=True)
        model = gn.Sequential([
            layers.Input(x.shape[1:]),
            lstm,
            layers.TimeDistributed(layers.Dense(n, activation="softmax")),
        ])
        model.compile(optimizer=gn.optimizers.Adam(learning_rate=p["lr"]),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        lstm_params = lstm.count_params()
        ctx.print(f"LSTM parameters: {lstm_params} = 4 * (inputs {n} + units {p['units']} + 1) * units {p['units']}")

        def predicted_string():
            return "".join(chars[i] for i in model.predict(x, verbose=0)[0].argmax(axis=-1))

        progress = []

        def on_epoch_end(epoch, logs):
            if (epoch + 1) % p["print_every"] == 0 or epoch == 0 or epoch + 1 == p["epochs"]:
                progress.append((epoch + 1, float(logs["loss"]), predicted_string()))

        history = model.fit(x, y, epochs=p["epochs"], batch_size=1, verbose=0,
                            callbacks=[LambdaCallback(on_epoch_end=on_epoch_end)])
        ctx.table(["epoch", "loss", "prediction"], [(e, f"{loss:.4f}", s) for e, loss, s in progress],
                  title=f"what the net says when it reads {WORD[:-1]!r}")

        probs = model.predict(x, verbose=0)[0]    # (6, 5): one softmax per step
        pred = probs.argmax(axis=-1)
        prediction = "".join(chars[i] for i in pred)
        accuracy = float(np.mean(pred == y_ids))
        ctx.report("final prediction", prediction, course=WORD[1:])
        ctx.report("accuracy per character", accuracy, note=f"{int((pred == y_ids).sum())} of {len(y_ids)}")
        ctx.report("LSTM parameters", lstm_params, course=4 * (n + p["units"] + 1) * p["units"],
                   note="4 * (inputs + units + 1) * units")
        ctx.report("final loss", float(history.history["loss"][-1]))

        import matplotlib.pyplot as plt
        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4.2))
        plot_history(history, metrics=["loss"], ax=ax0, title="training loss (cross-entropy per character)")
        ax0.set_yscale("log")
        im = ax1.imshow(probs.T, cmap="Blues", vmin=0, vmax=1, aspect="auto")
        for t in range(probs.shape[0]):
            for c in range(n):
                ax1.text(t, c, f"{probs[t, c]:.2f}", ha="center", va="center", fontsize=8,
                         color="white" if probs[t, c] > 0.6 else "black")
        ax1.set_xticks(range(len(x_ids)), [f"{WORD[t]} -> {WORD[t + 1]}" for t in range(len(x_ids))])
        ax1.set_yticks(range(n), chars)
        ax1.set_xlabel("step: input -> target")
        ax1.set_ylabel("predicted character")
        ax1.set_title(f"softmax at each step: predicts {prediction!r}")
        fig.colorbar(im, ax=ax1, fraction=0.046, label="probability")
        fig.tight_layout()
        ctx.savefig(fig, "hihello")

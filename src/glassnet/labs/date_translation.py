"""Lab `date-translation`: an encoder-decoder translates dates, without and with attention
(COURSE.md section 6: "encoder-decoder translation, attention (2014)").

The data: random days between the years 1000 and 9999, written the way people write them,
in one of six formats, and the translation to write is the ISO date:

    April 22, 2019            22 April 2019            Apr 22, 2019
    22 Apr 2019               Monday, April 22, 2019   4/22/2019          ->   2019-04-22

Everything is character-level. An input is at most 29 characters (``Wednesday, September 22,
...``), padded in front with the index 0 to 29; the output is always 10 characters from
``0123456789-``. The dates are drawn with a generator seeded by the lab's seed; the held-out
dates are days that never occur in the training set.

Two models, trained the same way (Adam, cross-entropy per output character):

**Without attention** (Sutskever et al., 2014). The encoder reads the input and hands only its
final states (h, c) to the decoder: the whole date must pass through those two vectors.

    encoder: Embedding(chars, 32) -> LSTM(units, return_state=True) -> h, c
    decoder: Embedding(11 + start, 32) -> LSTM(units, return_sequences=True)(initial_state=[h, c])
             -> Dense(11, softmax) at every step

**With attention** (Luong et al., 2015). The encoder also keeps its output at every input
character (``return_sequences=True``). At every output step the decoder's LSTM output is the
query of a dot-product ``Attention`` over those encoder outputs: a softmax over the input
characters says where to look, and the weighted sum of the encoder outputs (the context) is
joined to the decoder output:

    context_t = sum_j softmax_j(d_t . e_j) e_j          Attention()([decoder_outputs, encoder_outputs])
    y_t = softmax(W_y tanh(W_c [d_t; context_t]))      Concatenate -> Dense(units, tanh) -> Dense(11, softmax)

**Teacher forcing** (training). The decoder's input at step t is the correct character of step
t-1 (a start symbol at step 0), so all 10 steps train in one pass of the model
``Model([encoder_input, decoder_input], probabilities)``.

**Greedy decoding** (inference). There is no correct previous character: the decoder must
feed itself. Two more functional models share the trained layers:
``encoder = Model(encoder_input, [encoder_outputs, h, c])`` and a one-step decoder
``step = Model([previous_char, h, c, encoder_outputs], [probabilities, h, c, (weights)])``
(the decoder LSTM called on one character with ``initial_state=[h, c]`` and
``return_state=True``). Starting from the start symbol, each step's most likely character is
the next step's input, 10 times, for all held-out dates at once. A date counts as right only if
all 10 characters are (exact match).

Padding: the inputs carry no mask. The encoder reads the padding first, so its last state
follows the last real character. Without masks the one-step decoder sees exactly what training
saw; the attention model is free to look at the padding, and does so where there is nothing to
copy (the hyphens): the heat maps sum the padding's weights into one column.

Plots: exact match on the held-out dates after every epoch for both models, with the training
loss; and the attention weights of four held-out dates as heat maps (input characters across,
output characters down): each digit of the ISO date looks at the characters it copies, the
month digits at the month's name or number, the hyphens at the padding.

Measured at full settings (seed 0, then seed 1; 2026-12-03), exact match on 2,000 held-out
dates after each of the 4 epochs of 10,000 dates (the table the lab prints):

    epoch              1                2                3                4
    no attention       0.001 / 0.0005   0.124 / 0.169    0.583 / 0.557    0.745 / 0.808
    attention          0.022 / 0.0065   0.680 / 0.859    0.995 / 0.999    1.0 / 0.9995

With the same budget, attention translates every held-out date of seed 0; without it, 3 dates
in 4 (characters right: 0.949), worst on "M/D/YYYY" (0.574), whose month and day take one or
two characters. The model without attention is still learning (a fifth epoch: 0.836 / 0.899):
squeezing the date through h and c is learnable, only slower. The attention model puts 0.26 of
its weight on the padding (mean over dates and output steps).

Time at full settings: 33 s of CPU time, 1 min 46 s wall on a 2-core machine loaded by other
work (load average 7-10, ``OPENBLAS_NUM_THREADS=1``), peak resident memory 190 MB; ``--quick``
5-9 s there. With OpenBLAS's default two threads on that busy machine the first epoch took
75 s instead of 11 s (the recurrent layers' small matrix products stall when a BLAS thread has
no free core; see the README), with the same loss.
"""
from __future__ import annotations

import datetime
import time

import numpy as np

import glassnet as gn
from glassnet import backend, layers
from glassnet.callbacks import LambdaCallback
from glassnet.labs.base import Lab, Param, register
from glassnet.plotting import plot_curves

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# (name, how a date is written in it)
FORMATS = [
    ("Month D, YYYY", lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}"),
    ("D Month YYYY", lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}"),
    ("Mon D, YYYY", lambda d: f"{MONTHS[d.month - 1][:3]} {d.day}, {d.year}"),
    ("D Mon YYYY", lambda d: f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}"),
    ("Weekday, Month D, YYYY", lambda d: f"{WEEKDAYS[d.weekday()]}, {MONTHS[d.month - 1]} {d.day}, {d.year}"),
    ("M/D/YYYY", lambda d: f"{d.month}/{d.day}/{d.year}"),
]

INPUT_CHARS = sorted(set("".join(MONTHS) + "".join(WEEKDAYS) + "0123456789, /"))
OUTPUT_CHARS = list("0123456789-")
INPUT_INDEX = {c: i + 1 for i, c in enumerate(INPUT_CHARS)}      # 0: padding
OUTPUT_INDEX = {c: i for i, c in enumerate(OUTPUT_CHARS)}
START = len(OUTPUT_CHARS)                                          # the decoder's start symbol
INPUT_LENGTH = max(len(f(datetime.date(2000, 9, 27))) for _, f in FORMATS)   # Wednesday, September 27, ...: 29
OUTPUT_LENGTH = 10
FIRST_DAY = datetime.date(1000, 1, 1).toordinal()
LAST_DAY = datetime.date(9999, 12, 31).toordinal()


def make_dates(n: int, rng, exclude=()) -> tuple:
    """``n`` random days (none of them in ``exclude``, a set of ISO dates), each written in a
    random format. Returns the input texts, the ISO dates and the format numbers."""
    exclude = set(exclude)
    texts, isos, kinds = [], [], []
    while len(isos) < n:
        day = datetime.date.fromordinal(int(rng.integers(FIRST_DAY, LAST_DAY + 1)))
        if day.isoformat() in exclude:
            continue
        kind = int(rng.integers(len(FORMATS)))
        texts.append(FORMATS[kind][1](day))
        isos.append(day.isoformat())
        kinds.append(kind)
    return texts, isos, np.array(kinds)


def encode_inputs(texts) -> np.ndarray:
    """Texts as (n, INPUT_LENGTH) character indices, padded in front with 0."""
    x = np.zeros((len(texts), INPUT_LENGTH), np.int32)
    for k, text in enumerate(texts):
        ids = [INPUT_INDEX[c] for c in text]
        x[k, INPUT_LENGTH - len(ids):] = ids
    return x


def encode_outputs(isos) -> np.ndarray:
    """ISO dates as (n, 10) character indices."""
    return np.array([[OUTPUT_INDEX[c] for c in iso] for iso in isos], np.int32)


def decode_outputs(ids) -> list:
    return ["".join(OUTPUT_CHARS[i] for i in row) for row in ids]


def teacher_inputs(y: np.ndarray) -> np.ndarray:
    """The decoder's inputs under teacher forcing: the start symbol, then the target shifted by one."""
    return np.concatenate([np.full((len(y), 1), START, np.int32), y[:, :-1]], axis=1)


def build(units: int, embed: int, attention: bool) -> dict:
    """The training model and the two inference models (encoder, one decoder step), sharing layers."""
    enc_in = layers.Input((INPUT_LENGTH,), dtype="int32", name="input_chars")
    enc_seq, h, c = layers.LSTM(units, return_sequences=True, return_state=True, name="encoder")(
        layers.Embedding(len(INPUT_CHARS) + 1, embed, name="input_embedding")(enc_in))
    dec_embedding = layers.Embedding(len(OUTPUT_CHARS) + 1, embed, name="output_embedding")
    dec_lstm = layers.LSTM(units, return_sequences=True, return_state=True, name="decoder")
    head = layers.Dense(len(OUTPUT_CHARS), activation="softmax", name="next_char")
    if attention:
        attend = layers.Attention(name="attention")
        mix = layers.Dense(units, activation="tanh", name="attentional")

    def decoder(chars, states, encoder_outputs, with_scores=False):
        out, h_out, c_out = dec_lstm(dec_embedding(chars), initial_state=states)
        weights = None
        if attention:
            context = attend([out, encoder_outputs], return_attention_scores=with_scores)
            if with_scores:
                context, weights = context
            out = mix(layers.Concatenate()([out, context]))
        return head(out), h_out, c_out, weights

    dec_in = layers.Input((OUTPUT_LENGTH,), dtype="int32", name="previous_chars")
    probs, _, _, _ = decoder(dec_in, [h, c], enc_seq)
    model = gn.Model([enc_in, dec_in], probs, name="with_attention" if attention else "no_attention")

    encoder = gn.Model(enc_in, [enc_seq, h, c], name="encoder_model")
    prev = layers.Input((1,), dtype="int32", name="previous_char")
    h_in, c_in = layers.Input((units,), name="h"), layers.Input((units,), name="c")
    seq_in = layers.Input((INPUT_LENGTH, units), name="encoder_outputs")
    step_probs, h_out, c_out, weights = decoder(prev, [h_in, c_in], seq_in, with_scores=True)
    outputs = [step_probs, h_out, c_out] + ([weights] if attention else [])
    step = gn.Model([prev, h_in, c_in, seq_in], outputs, name="decoder_step")
    return {"model": model, "encoder": encoder, "step": step}


def greedy_decode(encoder, step, x: np.ndarray, batch_size: int = 1024) -> tuple:
    """Translate ``x`` by feeding each step's most likely character to the next step.

    Returns the character indices (n, 10) and the attention weights (n, 10, INPUT_LENGTH), or
    None for a model without attention."""
    enc_seq, h, c = encoder.predict(x, batch_size=batch_size, verbose=0)
    prev = np.full((len(x), 1), START, np.int32)
    chars, weights = [], []
    for _ in range(OUTPUT_LENGTH):
        out = step.predict([prev, h, c, enc_seq], batch_size=batch_size, verbose=0)
        probs, h, c = out[0], out[1], out[2]
        if len(out) == 4:
            weights.append(out[3][:, 0])
        prev = probs[:, 0].argmax(axis=-1).astype(np.int32)[:, None]
        chars.append(prev[:, 0])
    return np.stack(chars, axis=1), (np.stack(weights, axis=1) if weights else None)


KINDS = [("no attention", False), ("attention", True)]
HEAT_MAP_FORMATS = [1, 2, 4, 5]      # the formats of the heat maps: D Month, Mon D, Weekday..., M/D/YYYY


@register
class DateTranslationLab(Lab):
    name = "date-translation"
    title = "Translating dates to ISO with an LSTM encoder-decoder, without and with attention"
    section = "6"
    shows = "greedy decoding; exact match on held-out dates, without vs with Luong attention; attention heat maps"
    typical_time = "1-2 min"
    params = {
        "train": Param(10000, quick=1000, help="training dates"),
        "test": Param(2000, quick=200, help="held-out dates (never in the training set)"),
        "epochs": Param(4, quick=2, help="training epochs of each model"),
        "units": Param(64, quick=32, help="LSTM units of the encoder and the decoder"),
        "embed": Param(32, quick=16, help="character embedding size"),
        "batch_size": Param(64, quick=32, help="batch size"),
        "lr": Param(0.003, help="Adam learning rate"),
    }

    def run(self, ctx):
        p = ctx.params
        rng = np.random.default_rng(ctx.seed)
        train_texts, train_isos, _ = make_dates(p["train"], rng)
        test_texts, test_isos, test_kinds = make_dates(p["test"], rng, exclude=train_isos)
        x, y = encode_inputs(train_texts), encode_outputs(train_isos)
        xt, yt = encode_inputs(test_texts), encode_outputs(test_isos)
        ctx.table(["format", "example input", "target"],
                  [(name, fn(datetime.date(2019, 4, 22)), "2019-04-22") for name, fn in FORMATS],
                  title=f"{p['train']} training and {p['test']} held-out dates, years 1000-9999, "
                        f"formats drawn at random; {len(INPUT_CHARS)} input characters (+ padding 0), "
                        f"inputs padded in front to {INPUT_LENGTH}")
        k = 0
        ctx.table(["input", "indices (end)", "decoder input", "target"],
                  [(train_texts[k], x[k][-len(train_texts[k]):].tolist()[:8] + ["..."],
                    "<s>" + train_isos[k][:-1], train_isos[k])],
                  title="one training pair under teacher forcing (<s>: the start symbol)")

        results, curves, losses, weights_of = {}, {}, {}, None
        for i, (label, attention) in enumerate(KINDS):
            backend.set_seed(ctx.seed * 100 + i)   # each model's start depends on the seed only
            nets = build(p["units"], p["embed"], attention)
            model = nets["model"]
            model.compile(optimizer=gn.optimizers.Adam(learning_rate=p["lr"]),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            per_epoch = []

            def score(epoch, logs, nets=nets, per_epoch=per_epoch):
                pred, _ = greedy_decode(nets["encoder"], nets["step"], xt)
                per_epoch.append(float(np.mean((pred == yt).all(axis=1))))

            start = time.perf_counter()
            history = model.fit([x, teacher_inputs(y)], y, epochs=p["epochs"], batch_size=p["batch_size"],
                                verbose=ctx.verbose, callbacks=[LambdaCallback(on_epoch_end=score)])
            elapsed = time.perf_counter() - start
            pred, weights = greedy_decode(nets["encoder"], nets["step"], xt)
            right = (pred == yt).all(axis=1)
            results[label] = {"pred": pred, "right": right, "params": model.count_params(), "time": elapsed,
                              "char": float(np.mean(pred == yt))}
            curves[label], losses[label] = per_epoch, history.history["loss"]
            if attention:
                weights_of = weights
            ctx.report(f"{label}: exact match", float(right.mean()),
                       note=f"{int(right.sum())} of {len(right)} held-out dates, greedy decoding")

        ctx.table(["epoch"] + [label for label, _ in KINDS],
                  [(e + 1, *(f"{curves[label][e]:.4f}" for label, _ in KINDS)) for e in range(p["epochs"])],
                  title="exact match on the held-out dates after each epoch (greedy decoding)")
        ctx.table(["model", "parameters", "exact match", "characters right", "training time"],
                  [(label, r["params"], f"{r['right'].mean():.4f}", f"{r['char']:.4f}", f"{r['time']:.0f} s")
                   for label, r in results.items()], title="held-out dates, after the last epoch")
        ctx.table(["format"] + [label for label, _ in KINDS],
                  [(name, *(f"{results[label]['right'][test_kinds == f].mean():.3f}" for label, _ in KINDS))
                   for f, (name, _) in enumerate(FORMATS)], title="exact match by input format")
        shown = {f: int(np.flatnonzero(test_kinds == f)[0]) for f in range(len(FORMATS)) if (test_kinds == f).any()}
        ctx.table(["input", "target"] + [label for label, _ in KINDS],
                  [(test_texts[j], test_isos[j], *(decode_outputs(results[label]["pred"][j:j + 1])[0]
                                                    for label, _ in KINDS)) for j in shown.values()],
                  title="a held-out date of each format")

        pad = xt == 0                                          # (n, INPUT_LENGTH)
        on_padding = float((weights_of * pad[:, None, :]).sum(axis=-1).mean())
        ctx.report("attention weight on the padding", on_padding,
                   note="mean over held-out dates and output steps")
        self._plot(ctx, curves, losses, weights_of, test_texts, test_isos, results["attention"]["pred"], shown)

    @staticmethod
    def _plot(ctx, curves, losses, weights, texts, isos, pred, shown):
        import matplotlib.pyplot as plt
        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
        plot_curves({k: (np.arange(1, len(v) + 1), v) for k, v in curves.items()}, xlabel="epoch",
                    ylabel="exact match", ax=ax0, title="held-out dates translated exactly (greedy)")
        ax0.set_ylim(-0.02, 1.02)
        plot_curves({k: (np.arange(1, len(v) + 1), v) for k, v in losses.items()}, xlabel="epoch",
                    ylabel="cross-entropy per character", logy=True, ax=ax1, title="training loss (teacher forcing)")
        fig.tight_layout()
        ctx.savefig(fig, "date_translation_curves")

        picks = [shown[f] for f in HEAT_MAP_FORMATS if f in shown] or list(shown.values())[:4]
        fig, axes = plt.subplots(1, len(picks), figsize=(4.6 * len(picks), 3.6), squeeze=False)
        for ax, j in zip(axes[0], picks):
            text = texts[j]
            cut = INPUT_LENGTH - len(text)                          # the padding in front, summed in one column
            w = np.concatenate([weights[j][:, :cut].sum(axis=1, keepdims=True), weights[j][:, cut:]], axis=1)
            im = ax.imshow(w, cmap="viridis", vmin=0, vmax=1, aspect="auto")
            ax.set_xticks(range(len(text) + 1), ["pad"] + list(text), fontsize=8)
            ax.set_yticks(range(OUTPUT_LENGTH), list(decode_outputs(pred[j:j + 1])[0]), fontsize=8)
            ax.set_xlabel("input character")
            ax.set_ylabel("output character")
            ax.set_title(f"{text!r} -> {decode_outputs(pred[j:j + 1])[0]}", fontsize=9)
        fig.colorbar(im, ax=axes[0].tolist(), fraction=0.02, label="attention weight")
        ctx.savefig(fig, "date_translation_attention")
